package io.soilci.server.logview;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LineReaderTest {
  private static List<String> lines(LineReader reader) throws IOException {
    List<String> out = new ArrayList<>();
    while (reader.next()) {
      out.add(reader.text() + "|" + reader.length() + "|" + reader.start());
    }
    return out;
  }

  @Test
  void splitsAtNewlinesAndCountsALastLineWithoutOne() throws IOException {
    LineReader reader =
        new LineReader(
            new ByteArrayInputStream(
                "a\n\nbc\nd".getBytes(java.nio.charset.StandardCharsets.UTF_8)),
            10);

    assertThat(lines(reader)).containsExactly("a|1|0", "|0|2", "bc|2|3", "d|1|6");
  }

  @Test
  void aFiftyMegabyteLineKeepsOnlyItsStartInMemory() throws IOException {
    long size = 50L << 20;
    InputStream huge =
        new InputStream() {
          long left = size + 1;

          @Override
          public int read() {
            throw new UnsupportedOperationException("reads in blocks");
          }

          @Override
          public int read(byte[] b, int off, int len) {
            if (left == 0) {
              return -1;
            }
            int n = (int) Math.min(len, left);
            java.util.Arrays.fill(b, off, off + n, (byte) 'x');
            left -= n;
            if (left == 0) {
              b[off + n - 1] = '\n';
            }
            return n;
          }
        };
    LineReader reader = new LineReader(huge, 1000);

    assertThat(reader.next()).isTrue();
    assertThat(reader.kept()).isEqualTo(1000);
    assertThat(reader.length()).isEqualTo(size);
    assertThat(reader.end()).isEqualTo(size + 1);
    assertThat(reader.next()).isFalse();
  }
}
