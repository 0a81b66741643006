package io.soilci.e2e;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where the repository and its built jars are, seen from this module. */
final class Repo {
  static final Path ROOT = findRoot();
  static final Path SERVER_JAR = ROOT.resolve("server/target/soil-server.jar");
  static final Path WORKER_JAR = ROOT.resolve("worker/target/soil-worker.jar");

  private Repo() {}

  private static Path findRoot() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null && !Files.isDirectory(dir.resolve("soil-scripts"))) {
      dir = dir.getParent();
    }
    if (dir == null) {
      throw new IllegalStateException("no soil-scripts/ above " + Path.of("").toAbsolutePath());
    }
    return dir;
  }
}
