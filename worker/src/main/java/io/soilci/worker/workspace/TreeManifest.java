package io.soilci.worker.workspace;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collections;
import java.util.HexFormat;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * Every entry of a folder tree with a stat signature, sorted by path (a folder before what it
 * holds): for a file or link its inode, mode, size, change time and modification time; for a folder
 * its inode and mode (what it holds has entries of its own). Contents are never read. The change
 * time cannot be set back by a process, so a file written, replaced or chmod'ed since gets another
 * signature; that makes a manifest both a dirty check and the list of what to copy again.
 */
record TreeManifest(SortedMap<String, String> entries) {
  private static final String ATTRIBUTES = "unix:ino,mode,size,ctime,lastModifiedTime";

  TreeManifest {
    entries = Collections.unmodifiableSortedMap(new TreeMap<>(entries));
  }

  /** The manifest of the tree under {@code root}, which must be a folder. */
  static TreeManifest of(Path root) {
    SortedMap<String, String> entries = new TreeMap<>();
    try {
      Files.walkFileTree(root, new Collector(root, entries));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the tree " + root, e);
    }
    return new TreeManifest(entries);
  }

  /** The hex SHA-256 of every path and signature. */
  String digest() {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      for (Map.Entry<String, String> entry : entries.entrySet()) {
        digest.update(
            (entry.getKey() + "\0" + entry.getValue() + "\n").getBytes(StandardCharsets.UTF_8));
      }
      return HexFormat.of().formatHex(digest.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JDK", e);
    }
  }

  /** Writes the manifest to {@code file}: path NUL signature NUL, entry after entry. */
  void write(Path file) {
    StringBuilder text = new StringBuilder();
    entries.forEach(
        (path, signature) -> text.append(path).append('\0').append(signature).append('\0'));
    try {
      Files.writeString(file, text);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  /** The manifest {@link #write} wrote to {@code file}; null when there is none or it is cut. */
  static @Nullable TreeManifest read(Path file) {
    String text;
    try {
      text = Files.readString(file);
    } catch (NoSuchFileException e) {
      return null;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
    String[] fields = text.split("\0", -1);
    if (fields.length % 2 != 1 || !fields[fields.length - 1].isEmpty()) {
      return null;
    }
    SortedMap<String, String> entries = new TreeMap<>();
    for (int i = 0; i + 1 < fields.length; i += 2) {
      entries.put(fields[i], fields[i + 1]);
    }
    return new TreeManifest(entries);
  }

  private static String signature(Path entry, BasicFileAttributes basic) throws IOException {
    Map<String, Object> attrs = Files.readAttributes(entry, ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
    if (basic.isDirectory()) {
      return "d " + attrs.get("ino") + " " + attrs.get("mode");
    }
    return (basic.isSymbolicLink() ? "l " : "f ")
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

  /** Adds an entry per folder and file it visits. */
  private static final class Collector extends SimpleFileVisitor<Path> {
    private final Path root;
    private final SortedMap<String, String> entries;

    Collector(Path root, SortedMap<String, String> entries) {
      this.root = root;
      this.entries = entries;
    }

    @Override
    public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs)
        throws IOException {
      entries.put(root.relativize(dir).toString(), signature(dir, attrs));
      return FileVisitResult.CONTINUE;
    }

    @Override
    public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
      entries.put(root.relativize(file).toString(), signature(file, attrs));
      return FileVisitResult.CONTINUE;
    }
  }
}
