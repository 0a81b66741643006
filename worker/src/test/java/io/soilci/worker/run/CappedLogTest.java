package io.soilci.worker.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CappedLogTest {
  @TempDir Path dir;

  @Test
  void keepsOutputUpToTheCapThenOneMarkerLineAndCountsTheRest() throws Exception {
    Path file = dir.resolve("t.txt");

    try (CappedLog log = CappedLog.create(file, 10)) {
      log.write("12345678".getBytes(StandardCharsets.UTF_8));
      log.write("abcdef".getBytes(StandardCharsets.UTF_8));
      log.write("more".getBytes(StandardCharsets.UTF_8));
      assertThat(log.discarded()).isEqualTo(8);
    }

    assertThat(Files.readString(file)).isEqualTo("12345678ab" + CappedLog.marker(10));
  }

  @Test
  void writesNoMarkerWhenTheOutputFitsExactly() throws Exception {
    Path file = dir.resolve("t.txt");

    try (CappedLog log = CappedLog.create(file, 4)) {
      log.write("abcd".getBytes(StandardCharsets.UTF_8));
    }

    assertThat(Files.readString(file)).isEqualTo("abcd");
  }
}
