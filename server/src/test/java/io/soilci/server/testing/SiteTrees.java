package io.soilci.server.testing;

import io.soilci.result.Fixtures;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/** Site folders for tests: the original Soil's fixtures copied, and a checksum of a whole tree. */
public final class SiteTrees {
  private SiteTrees() {}

  /** Copies the original Soil's fixture files under {@code site} (writable copies). */
  public static void copyFixtures(Path site) throws IOException {
    Path from = Fixtures.soilOriginal();
    try (Stream<Path> files = Files.walk(from)) {
      for (Path file : files.toList()) {
        Path to = site.resolve(from.relativize(file).toString());
        if (Files.isDirectory(file)) {
          Files.createDirectories(to);
        } else if (!file.getFileName().toString().equals("README.md")) {
          Files.copy(file, to);
          to.toFile().setWritable(true);
        }
      }
    }
  }

  /** A fixture file's bytes, e.g. {@code github-jobs/4101/cpp-small.wwz}. */
  public static byte[] fixture(String path) {
    try {
      return Files.readAllBytes(Fixtures.soilOriginal().resolve(path));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** SHA-256 over every path (files and folders) and file content under {@code root}. */
  public static String checksum(Path root) throws IOException {
    try (Stream<Path> walk = Files.walk(root)) {
      List<Path> paths = walk.sorted().toList();
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      for (Path path : paths) {
        digest.update(root.relativize(path).toString().getBytes(StandardCharsets.UTF_8));
        digest.update((byte) 0);
        if (Files.isRegularFile(path)) {
          digest.update(Files.readAllBytes(path));
        }
      }
      return HexFormat.of().formatHex(digest.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The paths (from {@code root}, {@code /}-separated) of the regular files under it; a file that a
   * running server renames or deletes while the walk passes (a temp file) is left out, not an
   * error.
   */
  public static List<String> files(Path root) throws IOException {
    List<String> paths = new ArrayList<>();
    Files.walkFileTree(
        root,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
            if (attributes.isRegularFile()) {
              paths.add(root.relativize(file).toString().replace('\\', '/'));
            }
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
            if (e instanceof NoSuchFileException) {
              return FileVisitResult.CONTINUE;
            }
            throw e;
          }
        });
    return paths;
  }
}
