package io.soilci.server.logview;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import org.apache.commons.io.input.BoundedInputStream;
import org.apache.commons.io.input.TeeInputStream;
import org.jspecify.annotations.Nullable;

/**
 * Reads a whole log once, streaming, into its {@link LogFacts}: every line is counted and every
 * {@value LogFacts#WINDOW}th line's offset kept, with the last command and the last lines; the
 * error patterns, which cost far more a line, are tried on the first {@value #ERROR_SCAN_BYTES}
 * bytes only (what the run page's brief reads too), on another thread while the lines are counted.
 */
final class LogScan {
  /** Bytes of a line kept to be shown or searched; the rest is only counted. */
  static final int KEPT_LINE_BYTES = 16 * 1024;

  /** Bytes of a log the error patterns are tried on. */
  static final long ERROR_SCAN_BYTES = FailureBriefs.MAX_SCAN_BYTES;

  private LogScan() {}

  /**
   * The facts of {@code source}; its bytes are also written to {@code copy} if given.
   *
   * @param executor runs the error patterns beside the count
   */
  static LogFacts scan(
      LogSource source, ErrorPatterns patterns, Executor executor, @Nullable OutputStream copy)
      throws IOException {
    CompletableFuture<Excerpt> errors =
        CompletableFuture.supplyAsync(() -> errors(source, patterns), executor);
    Count count;
    try (InputStream in = source.open()) {
      count = count(copy == null ? in : new TeeInputStream(in, copy));
    } catch (IOException | RuntimeException e) {
      errors.cancel(false);
      throw e;
    }
    List<Excerpt.Block> blocks;
    try {
      blocks = errors.get().blocks();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while looking for errors in the log", e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      throw cause instanceof UncheckedIOException u
          ? u.getCause()
          : new IOException("looking for errors in the log failed: " + cause, cause);
    }
    return new LogFacts(
        count.lines, count.starts, new Excerpt(blocks, count.lastCommand, count.tail, count.lines));
  }

  private static Excerpt errors(LogSource source, ErrorPatterns patterns) {
    try (InputStream in =
        BoundedInputStream.builder()
            .setInputStream(source.open())
            .setMaxCount(ERROR_SCAN_BYTES)
            .get()) {
      LineReader reader = new LineReader(in, KEPT_LINE_BYTES);
      ErrorFinder finder = new ErrorFinder(patterns);
      while (reader.next()) {
        finder.line(reader.text());
      }
      return finder.excerpt();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private record Count(
      long lines, long[] starts, Optional<Excerpt.Line> lastCommand, List<Excerpt.Line> tail) {}

  /**
   * Counts lines, keeps window offsets, the last {@code set -x} command (only a line with a {@code
   * +} can be one, so only those are decoded) and the last lines' bytes.
   */
  private static Count count(InputStream in) throws IOException {
    LineReader reader = new LineReader(in, KEPT_LINE_BYTES);
    long[] starts = new long[16];
    int windows = 0;
    long lines = 0;
    byte[][] ring = new byte[ErrorFinder.TAIL][];
    Excerpt.Line lastCommand = null;
    while (reader.next()) {
      if (lines % LogFacts.WINDOW == 0) {
        if (windows == starts.length) {
          starts = Arrays.copyOf(starts, windows * 2);
        }
        starts[windows++] = reader.start();
      }
      lines++;
      byte[] bytes = reader.bytes();
      int kept = reader.kept();
      if (hasPlus(bytes, kept)) {
        String text = reader.text();
        if (ErrorFinder.isCommand(text)) {
          lastCommand = ErrorFinder.kept(lines, text);
        }
      }
      int slot = (int) (lines % ring.length);
      ring[slot] = Arrays.copyOf(bytes, kept);
    }
    List<Excerpt.Line> tail = new ArrayList<>();
    for (long n = Math.max(1, lines - ring.length + 1); n <= lines; n++) {
      byte[] bytes = ring[(int) (n % ring.length)];
      tail.add(ErrorFinder.kept(n, new String(bytes, StandardCharsets.UTF_8)));
    }
    return new Count(lines, Arrays.copyOf(starts, windows), Optional.ofNullable(lastCommand), tail);
  }

  private static boolean hasPlus(byte[] bytes, int kept) {
    for (int i = 0; i < kept; i++) {
      if (bytes[i] == '+') {
        return true;
      }
    }
    return false;
  }
}
