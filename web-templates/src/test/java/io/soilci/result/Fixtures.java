package io.soilci.result;

import java.nio.file.Files;
import java.nio.file.Path;

/** Finds {@code shared/fixtures/soil-original}: result files made by the original Soil. */
public final class Fixtures {
  private Fixtures() {}

  /** The fixture folder, found beside the project root (as CI and developers have it). */
  public static Path soilOriginal() {
    Path dir = Path.of("").toAbsolutePath();
    for (; dir != null; dir = dir.getParent()) {
      Path candidate = dir.resolve("shared/fixtures/soil-original");
      if (Files.isDirectory(candidate)) {
        return candidate;
      }
    }
    throw new IllegalStateException(
        "shared/fixtures/soil-original not found above " + Path.of("").toAbsolutePath());
  }
}
