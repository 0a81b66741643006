package io.soilci.worker.workspace;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The real podman CLI for tests; the image comes from {@code SOIL_TEST_IMAGE}. */
final class Podman {
  private Podman() {}

  static String testImage() {
    String image = System.getenv("SOIL_TEST_IMAGE");
    return image == null || image.isEmpty() ? "localhost/soil-test-busybox:latest" : image;
  }

  /** Runs {@code podman ARGS}; fails unless it exits 0; returns stdout and stderr. */
  static String run(String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of("podman"));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    try {
      if (!process.waitFor(120, TimeUnit.SECONDS) || process.exitValue() != 0) {
        throw new IOException(command + " failed: " + output);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(command + " interrupted", e);
    }
    return output;
  }

  static boolean imageExists(String image) throws IOException, InterruptedException {
    Process process =
        new ProcessBuilder("podman", "image", "exists", image).redirectErrorStream(true).start();
    process.getInputStream().readAllBytes();
    return process.waitFor(60, TimeUnit.SECONDS) && process.exitValue() == 0;
  }
}
