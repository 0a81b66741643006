package io.soilci.worker.workspace;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * A fingerprint of a folder tree taken from each entry's name, inode, type, mode, size and change
 * time, without reading contents: any file written, added, removed, renamed or chmod'ed since
 * changes it (the change time cannot be set back), so a dirty tree is found in one stat per entry.
 */
final class TreeFingerprint {
  private static final String ATTRIBUTES = "unix:ino,mode,size,ctime,lastModifiedTime";

  private TreeFingerprint() {}

  /** The fingerprint of the tree under {@code root} (hex SHA-256), or "absent" without one. */
  static String of(Path root) {
    if (!Files.isDirectory(root, LinkOption.NOFOLLOW_LINKS)) {
      return "absent";
    }
    List<String> entries = new ArrayList<>();
    try {
      Files.walkFileTree(root, new Collector(root, entries));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the tree " + root, e);
    }
    entries.sort(null);
    return sha256(String.join("\n", entries));
  }

  private static String describe(Path root, Path entry) throws IOException {
    Map<String, Object> attrs = Files.readAttributes(entry, ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
    return root.relativize(entry)
        + "\0"
        + attrs.get("ino")
        + " "
        + attrs.get("mode")
        + " "
        + attrs.get("size")
        + " "
        + attrs.get("ctime")
        + " "
        + attrs.get("lastModifiedTime");
  }

  private static String sha256(String text) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(digest.digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JDK", e);
    }
  }

  /** Adds a line per folder and file it visits. */
  private static final class Collector extends SimpleFileVisitor<Path> {
    private final Path root;
    private final List<String> entries;

    Collector(Path root, List<String> entries) {
      this.root = root;
      this.entries = entries;
    }

    @Override
    public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs)
        throws IOException {
      entries.add(describe(root, dir));
      return FileVisitResult.CONTINUE;
    }

    @Override
    public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
      entries.add(describe(root, file));
      return FileVisitResult.CONTINUE;
    }
  }
}
