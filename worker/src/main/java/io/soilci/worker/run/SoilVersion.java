package io.soilci.worker.run;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/** The worker's version, from the build ({@code soil-version.txt}, filtered by Maven). */
public final class SoilVersion {
  private SoilVersion() {}

  public static String get() {
    try (InputStream in = SoilVersion.class.getResourceAsStream("soil-version.txt")) {
      return in == null ? "dev" : new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      return "dev";
    }
  }
}
