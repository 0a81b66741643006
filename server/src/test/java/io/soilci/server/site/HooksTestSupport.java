package io.soilci.server.site;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;

/** Waiting, bounded, for what a hook writes. */
final class HooksTestSupport {
  private HooksTestSupport() {}

  static void awaitFile(Path file) throws InterruptedException {
    for (int i = 0; i < 100 && !Files.exists(file); i++) {
      Thread.sleep(50);
    }
    assertThat(file).as("written by a hook within 5 s").isRegularFile();
  }
}
