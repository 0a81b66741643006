package io.soilci.server.logview;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.soilci.result.BadInput;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import org.junit.jupiter.api.Test;

class LogSearchTest {
  private static final long SECONDS_10 = 10_000_000_000L;

  private static LogSearch.Input log(String text) {
    return () -> new ByteArrayInputStream(text.getBytes(UTF_8));
  }

  @Test
  void findsTheLinesThatHoldTheTextIgnoringCaseAndColours() throws Exception {
    LogSearch.Input source =
        log("one\nfound \u001b[1mNee\u001b[0mdle\nneedle\nnothing\nénée needle\n");

    LogSearch.Result result =
        LogSearch.search(source, new LogSearch.Query("needle", false, false), SECONDS_10);

    assertThat(result.lines()).containsExactly(2L, 3L, 5L);
    assertThat(result.more()).isFalse();
    assertThat(result.searched()).isEqualTo(5);
  }

  @Test
  void matchesCaseWhenAskedAndTakesRegularExpressionsWhenAsked() throws Exception {
    LogSearch.Input source = log("Needle\nneedle\nÉcole\nécole\nerror 42\n");

    assertThat(
            LogSearch.search(source, new LogSearch.Query("needle", true, false), SECONDS_10)
                .lines())
        .containsExactly(2L);
    assertThat(
            LogSearch.search(source, new LogSearch.Query("école", false, false), SECONDS_10)
                .lines())
        .containsExactly(3L, 4L);
    assertThat(
            LogSearch.search(source, new LogSearch.Query("error [0-9]+$", false, true), SECONDS_10)
                .lines())
        .containsExactly(5L);
    assertThat(
            LogSearch.search(source, new LogSearch.Query("[0-9]+", false, false), SECONDS_10)
                .lines())
        .as("literal by default")
        .isEmpty();
  }

  @Test
  void stopsAtAThousandMatchesAndSaysThereAreMore() throws Exception {
    LogSearch.Input source = log("x\n".repeat(1500));

    LogSearch.Result result =
        LogSearch.search(source, new LogSearch.Query("x", false, false), SECONDS_10);

    assertThat(result.lines()).hasSize(LogSearch.MAX_MATCHES);
    assertThat(result.lines().get(999)).isEqualTo(1000L);
    assertThat(result.more()).isTrue();
    assertThat(result.timedOut()).isFalse();
  }

  @Test
  void aRunawayRegularExpressionStopsWhenTheTimeIsUp() throws Exception {
    LogSearch.Input source = log("a".repeat(30) + "!\n" + "needle\n");
    long start = System.nanoTime();

    LogSearch.Result result =
        LogSearch.search(source, new LogSearch.Query("(.*a){15}$", false, true), 300_000_000L);

    assertThat(result.timedOut()).isTrue();
    assertThat(result.more()).isTrue();
    assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(5_000);
  }

  /** A 200 MB log, made as it is read: the search holds a line and a buffer, not the log. */
  @Test
  void searchesATwoHundredMegabyteLogInBoundedTimeAndMemory() throws Exception {
    byte[] line =
        "2026-12-01 12:00:00 [INFO] compiling module number 000000 of the build\n".getBytes(UTF_8);
    long lines = 200_000_000L / line.length;
    LogSearch.Input source = () -> new Generated(line, lines);
    Runtime.getRuntime().gc();
    long usedBefore = Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory();
    long start = System.nanoTime();

    LogSearch.Result result =
        LogSearch.search(source, new LogSearch.Query("NEEDLE", false, false), 30 * SECONDS_10);

    long millis = (System.nanoTime() - start) / 1_000_000;
    long usedAfter = Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory();
    System.out.printf(
        "searched %,d lines (%,d MB) in %,d ms; found %s%n",
        result.searched(), lines * line.length / 1_000_000, millis, result.lines());
    assertThat(result.lines()).containsExactly(lines / 2);
    assertThat(result.searched()).isEqualTo(lines);
    assertThat(result.timedOut()).isFalse();
    assertThat(usedAfter - usedBefore).as("heap grown").isLessThan(64L << 20);
  }

  @Test
  void refusesAnEmptyAnOverlongOrABadQueryNamingTheRule() {
    assertThatThrownBy(() -> new LogSearch.Query("", false, false))
        .isInstanceOf(BadInput.class)
        .hasMessage("search '' must not be empty: give the text to find, e.g. search=error");
    assertThatThrownBy(() -> new LogSearch.Query("x".repeat(201), false, false))
        .hasMessage(
            "search of 201 characters is over the limit of 200; search for a shorter part of the"
                + " line");
    assertThatThrownBy(() -> new LogSearch.Query("a(b", false, true))
        .hasMessage(
            "search 'a(b' is not a valid regular expression (Unclosed group near index 3); leave"
                + " out regex=1 to search for the text as it is");
    assertThat(new LogSearch.Query("a(b", false, false).text()).isEqualTo("a(b");
  }

  /** {@code lines} copies of {@code line}, the middle one saying NEEDLE. */
  private static final class Generated extends InputStream {
    private final byte[] line;
    private final byte[] needle;
    private final long lines;
    private long n;
    private int at;

    Generated(byte[] line, long lines) {
      this.line = line;
      this.needle = new String(line, UTF_8).replace("module", "NEEDLE").getBytes(UTF_8);
      this.lines = lines;
    }

    @Override
    public int read() {
      byte[] b = new byte[1];
      return read(b, 0, 1) < 0 ? -1 : b[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) {
      if (n >= lines) {
        return -1;
      }
      byte[] current = n + 1 == lines / 2 ? needle : line;
      int count = Math.min(len, current.length - at);
      System.arraycopy(current, at, b, off, count);
      at += count;
      if (at == current.length) {
        at = 0;
        n++;
      }
      return count;
    }
  }

  @Test
  void returnsWhatItFoundWhenTheTimeIsUp() throws Exception {
    LogSearch.Result result =
        LogSearch.search(log("hay\n".repeat(5000)), new LogSearch.Query("needle", false, false), 0);

    assertThat(result.timedOut()).isTrue();
    assertThat(result.more()).isTrue();
    assertThat(result.searched()).isLessThan(5000);
  }
}
