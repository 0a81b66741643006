package io.soilci.worker.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WwzWriterTest {
  @TempDir Path dir;

  /**
   * A small wwz, deflated on the calling thread, is the same file, byte for byte, as the one the
   * parallel writer makes of the same entries.
   */
  @Test
  void aSmallWwzIsTheSameBytesAsTheParallelWritersOne() throws Exception {
    List<WwzEntry> entries = new ArrayList<>();
    Random random = new Random(16);
    for (int i = 0; i < 12; i++) {
      byte[] bytes = new byte[i * 997];
      for (int j = 0; j < bytes.length; j++) {
        bytes[j] = (byte) ('a' + random.nextInt(i % 3 == 0 ? 2 : 26));
      }
      Path file = Files.write(dir.resolve("f" + i + ".txt"), bytes);
      Files.setLastModifiedTime(file, FileTime.fromMillis(1_700_000_000_123L + i * 1001L));
      entries.add(new WwzEntry("_tmp/soil/logs/f" + i + ".txt", file));
    }
    byte[] index = "<!doctype html>\n<title>job</title>\n".getBytes(StandardCharsets.UTF_8);

    FileTime now = FileTime.fromMillis(1_700_000_100_456L);

    WwzStats serial =
        WwzWriter.write(dir.resolve("serial.wwz"), index, now, entries, 5, Long.MAX_VALUE);
    WwzStats parallel = WwzWriter.write(dir.resolve("parallel.wwz"), index, now, entries, 5, 0);

    assertThat(serial.files()).isEqualTo(13).isEqualTo(parallel.files());
    assertThat(Files.readAllBytes(dir.resolve("serial.wwz")))
        .isEqualTo(Files.readAllBytes(dir.resolve("parallel.wwz")));
  }
}
