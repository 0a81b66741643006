package io.soilci.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine.IVersionProvider;

/** The project's version, written by the build ({@code soil-version.txt}, filtered by Maven). */
public final class SoilVersion implements IVersionProvider {
  /** The version, e.g. {@code 0.1.0-SNAPSHOT}; "dev" when the resource is missing. */
  public static String get() {
    try (InputStream in = SoilVersion.class.getResourceAsStream("soil-version.txt")) {
      return in == null ? "dev" : new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      return "dev";
    }
  }

  /** {@code --version}: the command's name and the version, the same in both jars. */
  @Override
  public String[] getVersion() {
    return new String[] {"${ROOT-COMMAND-NAME} " + get()};
  }
}
