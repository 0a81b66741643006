package io.soilci.result;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * Finds the test resource {@code soil-original/}: result files made by the original Soil, kept
 * byte-for-byte in this module's test resources and shared with worker and server through its
 * test-jar.
 */
public final class Fixtures {
  private static final String MARKER = "soil-original/README.md";

  private Fixtures() {}

  /**
   * The fixture folder on the default file system: the resource folder itself when the classes run
   * from {@code target/test-classes}, else (from the test-jar) a copy made once per JVM.
   */
  public static Path soilOriginal() {
    return Holder.ROOT;
  }

  // Initialised on first use only, so a test that never needs the fixtures never copies them.
  private static final class Holder {
    static final Path ROOT = locate();
  }

  private static Path locate() {
    URL marker = Fixtures.class.getClassLoader().getResource(MARKER);
    if (marker == null) {
      throw new IllegalStateException(
          MARKER + " not on the test classpath: add soil-web-templates' test-jar as a dependency");
    }
    try {
      URI uri = marker.toURI();
      if (uri.getScheme().equals("file")) {
        return folderOf(Path.of(uri));
      }
      return copyOut(uri);
    } catch (URISyntaxException e) {
      throw new IllegalStateException("fixture URL " + marker + " is not a URI", e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Path folderOf(Path marker) {
    return Objects.requireNonNull(marker.getParent(), MARKER);
  }

  /** Copies the folder out of a jar: tests hand the files to processes and use java.io.File. */
  private static Path copyOut(URI insideJar) throws IOException {
    Path copy = Files.createTempDirectory("soil-original");
    try (FileSystem jar = FileSystems.newFileSystem(insideJar, Map.of())) {
      Path from = folderOf(jar.provider().getPath(insideJar));
      try (Stream<Path> files = Files.walk(from)) {
        for (Path file : files.toList()) {
          Path to = copy.resolve(from.relativize(file).toString());
          if (Files.isDirectory(file)) {
            Files.createDirectories(to);
          } else {
            Files.copy(file, to);
          }
        }
      }
    }
    Runtime.getRuntime().addShutdownHook(new Thread(() -> delete(copy)));
    return copy;
  }

  private static void delete(Path root) {
    try (Stream<Path> files = Files.walk(root)) {
      for (Path path : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(path);
      }
    } catch (IOException e) {
      // A leftover temp folder is harmless; the JVM is exiting.
    }
  }
}
