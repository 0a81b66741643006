package io.soilci.server.wwz;

import static org.assertj.core.api.Assertions.assertThat;

import io.soilci.server.http.Head;
import io.soilci.server.testing.Zips;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Entries are inflated into their files in whole chunks of 1 MiB (so the page cache holds them in
 * large pieces): every byte lands where it belongs whatever the entry's size against a chunk, and
 * inflations beyond the ones allowed at once wait for a chunk buffer rather than fail.
 */
@Timeout(120)
class InflatedFilesTest {
  private static final int MIB = 1 << 20;
  private static final Head HEAD = Head.of("text/plain", "t", 0);

  @TempDir Path dir;

  @Test
  void everyByteLandsInPlaceAtEachSizeAroundAChunk() throws IOException {
    Map<String, String> texts = new LinkedHashMap<>();
    for (int size : new int[] {0, 1, MIB - 1, MIB, MIB + 1, 3 * MIB + 5}) {
      texts.put("log-" + size + ".txt", text(size));
    }
    try (ZipFile zip = zip(texts);
        InflatedFiles files = new InflatedFiles(dir.resolve("inflated"), 64L * MIB, 8L * MIB)) {
      for (var text : texts.entrySet()) {
        ZipArchiveEntry entry = zip.getEntry(text.getKey());

        InflatedFiles.Inflated inflated = files.put(text.getKey(), "v1", zip, entry, HEAD);

        assertThat(contents(inflated)).as(text.getKey()).isEqualTo(text.getValue());
        assertThat(files.get(text.getKey(), "v1")).isSameAs(inflated);
      }
    }
  }

  @Test
  void moreInflationsAtOnceThanAllowedEachGetTheirWholeEntry() throws Exception {
    Map<String, String> texts = new LinkedHashMap<>();
    for (int i = 0; i < 8; i++) {
      texts.put("log-" + i + ".txt", i + " " + text(2 * MIB + 1000 * i));
    }
    ExecutorService threads = Executors.newFixedThreadPool(8);
    try (ZipFile zip = zip(texts);
        InflatedFiles files = new InflatedFiles(dir.resolve("inflated"), 64L * MIB, 8L * MIB, 2)) {
      List<Future<InflatedFiles.Inflated>> done = new ArrayList<>();
      for (String name : texts.keySet()) {
        done.add(threads.submit(() -> files.put(name, "v1", zip, zip.getEntry(name), HEAD)));
      }
      int i = 0;
      for (String text : texts.values()) {
        assertThat(contents(done.get(i++).get())).isEqualTo(text);
      }
    } finally {
      threads.shutdownNow();
    }
  }

  /** Log-like text of exactly {@code size} bytes. */
  private static String text(int size) {
    StringBuilder text = new StringBuilder(size);
    for (int line = 0; text.length() < size; line++) {
      text.append(String.format("%06d ok test passed in %d ms%n", line, line % 97));
    }
    text.setLength(size);
    return text.toString();
  }

  private ZipFile zip(Map<String, String> texts) throws IOException {
    Path file = Files.write(Files.createTempFile(dir, "zip-", ".wwz"), Zips.of(texts));
    return ZipFile.builder().setPath(file).get();
  }

  private static String contents(InflatedFiles.Inflated inflated) throws IOException {
    ByteBuffer bytes = ByteBuffer.allocate((int) inflated.size());
    while (bytes.hasRemaining()) {
      if (inflated.channel().read(bytes, bytes.position()) < 0) {
        break;
      }
    }
    assertThat(inflated.channel().size()).isEqualTo(inflated.size());
    return new String(bytes.array(), 0, bytes.position(), StandardCharsets.UTF_8);
  }
}
