package io.soilci.server.logview;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The log index in a state folder: made once, read back, bounded, and an inflated copy. */
class LogIndexStoreTest {
  @TempDir Path dir;

  /** A log in memory that counts how often it is read. */
  private static final class Log implements LogSource {
    final byte[] bytes;
    final boolean compressed;
    final AtomicInteger opens = new AtomicInteger();

    Log(String text, boolean compressed) {
      this.bytes = text.getBytes(UTF_8);
      this.compressed = compressed;
    }

    @Override
    public InputStream open() {
      opens.incrementAndGet();
      return new ByteArrayInputStream(bytes);
    }

    @Override
    public long size() {
      return bytes.length;
    }

    @Override
    public boolean compressed() {
      return compressed;
    }
  }

  private static String lines(int n, String error) {
    StringBuilder s = new StringBuilder();
    for (int i = 1; i <= n; i++) {
      s.append(i == n / 2 ? error : "line " + i).append('\n');
    }
    return s.toString();
  }

  private LogIndexStore store(long budget) throws IOException {
    return new LogIndexStore(dir.resolve("log-index"), budget, ErrorPatterns.DEFAULTS);
  }

  private static String window(LogIndexStore.Indexed indexed, int w) throws IOException {
    try (InputStream in = indexed.source().openAt(indexed.facts().startOf(w))) {
      return new String(in.readNBytes(12), UTF_8);
    }
  }

  @Test
  void aLogIsReadOnceAndItsIndexReadBackAfterARestart() throws IOException {
    Log log = new Log(lines(2500, "error: it broke"), false);
    LogFacts first;
    try (LogIndexStore store = store(LogIndexStore.DEFAULT_BUDGET)) {
      first = store.get("a.wwz|1|2|3!logs/t.txt", log).facts();
    }
    int reads = log.opens.get();
    try (LogIndexStore restarted = store(LogIndexStore.DEFAULT_BUDGET)) {
      LogIndexStore.Indexed again = restarted.get("a.wwz|1|2|3!logs/t.txt", log);

      assertThat(log.opens.get()).as("reads of the log after the restart").isEqualTo(reads);
      assertThat(again.facts().lines()).isEqualTo(2500);
      assertThat(again.facts().windowStarts()).isEqualTo(first.windowStarts());
      assertThat(again.facts().excerpt()).isEqualTo(first.excerpt());
      assertThat(again.facts().excerpt().blocks().get(0).errorLine()).isEqualTo(1250);
      assertThat(window(again, 2)).isEqualTo("line 2001\nli");
    }
  }

  @Test
  void anotherVersionOfTheZipOrAnIndexFileCutShortIsReadAgain() throws IOException {
    Log log = new Log(lines(10, "error: x"), false);
    try (LogIndexStore store = store(LogIndexStore.DEFAULT_BUDGET)) {
      store.get("a.wwz|1|2|3!logs/t.txt", log);
      store.get("a.wwz|9|2|3!logs/t.txt", log);
      assertThat(log.opens.get()).as("both versions read").isGreaterThanOrEqualTo(4);
      int reads = log.opens.get();
      try (Stream<Path> files = Files.list(dir.resolve("log-index"))) {
        for (Path f : files.toList()) {
          byte[] bytes = Files.readAllBytes(f);
          Files.write(f, java.util.Arrays.copyOf(bytes, bytes.length - 1));
        }
      }

      assertThat(store.get("a.wwz|1|2|3!logs/t.txt", log).facts().lines()).isEqualTo(10);
      assertThat(log.opens.get()).as("read again").isGreaterThan(reads);
    }
  }

  @Test
  void theLeastRecentlyViewedLogsGoWhenTheFolderIsOverItsBudget() throws Exception {
    Log log = new Log(lines(100, "x"), false);
    try (LogIndexStore store = store(LogIndexStore.DEFAULT_BUDGET)) {
      store.get("probe", log);
    }
    long one;
    try (Stream<Path> files = Files.list(dir.resolve("log-index"))) {
      one = files.mapToLong(f -> f.toFile().length()).sum();
    }
    try (LogIndexStore store = store(3 * one + one / 2)) {
      for (String key : new String[] {"a", "b", "c"}) {
        store.get(key, log);
        Thread.sleep(20); // file times of distinct views differ
      }
      store.get("a", log); // viewed again: now "b" is the least recent
      Thread.sleep(20);
      store.get("d", log);
      int reads = log.opens.get();
      store.get("a", log);
      store.get("c", log);
      store.get("d", log);
      assertThat(log.opens.get()).as("a, c and d still indexed").isEqualTo(reads);
      store.get("b", log);
      assertThat(log.opens.get()).as("b read again").isGreaterThan(reads);
    }
  }

  @Test
  void aBigCompressedLogKeepsAnInflatedCopyThatItsWindowsAreReadFrom() throws IOException {
    String text = lines((int) (LogIndexStore.COPY_OVER / 10) + 1000, "error: deep");
    Log log = new Log(text, true);
    try (LogIndexStore store = store(LogIndexStore.DEFAULT_BUDGET)) {
      LogIndexStore.Indexed indexed = store.get("big", log);
      int reads = log.opens.get();
      int last = indexed.facts().windows() - 1;

      assertThat(window(indexed, last)).startsWith("line " + (last * LogFacts.WINDOW + 1));
      assertThat(window(indexed, 0)).isEqualTo("line 1\nline ");
      assertThat(log.opens.get()).as("reads of the zip for windows").isEqualTo(reads);
      try (Stream<Path> files = Files.list(dir.resolve("log-index"))) {
        assertThat(files.filter(f -> f.toString().endsWith(".log")).toList())
            .singleElement()
            .satisfies(f -> assertThat(Files.size(f)).isEqualTo(log.size()));
      }
    }
    Log small = new Log(lines(1000, "x"), true);
    try (LogIndexStore store = store(LogIndexStore.DEFAULT_BUDGET)) {
      store.get("small", small);
      try (Stream<Path> files = Files.list(dir.resolve("log-index"))) {
        assertThat(files.filter(f -> f.toString().endsWith(".log")).count())
            .as("copies: only the big log's")
            .isEqualTo(1);
      }
    }
  }

  @Test
  void aBigLogWhoseReadFailsLeavesNoHalfCopyBehind() throws IOException {
    long size = LogIndexStore.COPY_OVER + 1;
    LogSource broken =
        new LogSource() {
          @Override
          public InputStream open() {
            return new InputStream() {
              long read;

              @Override
              public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0];
              }

              @Override
              public int read(byte[] b, int off, int len) throws IOException {
                if (read > LogIndexStore.COPY_OVER / 2) {
                  throw new IOException("the zip is cut short");
                }
                for (int i = 0; i < len; i++) {
                  b[off + i] = (byte) (++read % 80 == 0 ? '\n' : 'x');
                }
                return len;
              }
            };
          }

          @Override
          public long size() {
            return size;
          }

          @Override
          public boolean compressed() {
            return true;
          }
        };
    try (LogIndexStore store = store(LogIndexStore.DEFAULT_BUDGET)) {
      assertThatThrownBy(() -> store.get("b.wwz!t.txt", broken)).hasMessageContaining("cut short");
    }

    try (Stream<Path> left = Files.list(dir.resolve("log-index"))) {
      assertThat(left).as("files left in the index folder").isEmpty();
    }
  }
}
