package io.soilci.server.logview;

/**
 * What one pass over a log learns: how many lines, where each window of {@value #WINDOW} lines
 * starts (a byte offset per window, so a window deep in a huge log is found without counting lines
 * again), and its excerpt. Small whatever the log's size: 8 bytes per window.
 */
public final class LogFacts {
  /** Lines per window of the view. */
  public static final int WINDOW = 1000;

  private final long lines;
  private final long[] windowStarts;
  private final Excerpt excerpt;

  LogFacts(long lines, long[] windowStarts, Excerpt excerpt) {
    this.lines = lines;
    this.windowStarts = windowStarts.clone();
    this.excerpt = excerpt;
  }

  public long lines() {
    return lines;
  }

  public Excerpt excerpt() {
    return excerpt;
  }

  /** How many windows the log has (at least one, for an empty log). */
  public int windows() {
    return Math.max(1, windowStarts.length);
  }

  /** The window (from 0) that holds line {@code n} (from 1). */
  public static int windowOf(long n) {
    return (int) ((n - 1) / WINDOW);
  }

  /** The first line of window {@code w}. */
  public static long firstLineOf(int w) {
    return (long) w * WINDOW + 1;
  }

  /** Each window's first byte offset. */
  long[] windowStarts() {
    return windowStarts.clone();
  }

  /** The byte offset of window {@code w}'s first line. */
  long startOf(int w) {
    return windowStarts.length == 0 ? 0 : windowStarts[w];
  }
}
