package io.soilci.server.coordinator;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** What the coordinator's tests' hooks wrote, one line per hook run. */
final class HookLines {
  private HookLines() {}

  /** The lines of {@code file} once it has {@code count} of them, or as it is after a minute. */
  static List<String> await(Path file, int count) throws Exception {
    long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < end) {
      if (Files.exists(file) && Files.readAllLines(file).size() >= count) {
        break;
      }
      Thread.sleep(20);
    }
    return Files.exists(file) ? Files.readAllLines(file) : List.of();
  }
}
