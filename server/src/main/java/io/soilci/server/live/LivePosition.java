package io.soilci.server.live;

/**
 * Where a chunk of a running task's log begins: byte {@code offset} of the log (offsets count every
 * byte the worker sent), after {@code lines} ended lines, and whether it begins a line. Carried
 * with each chunk a replica publishes, so every replica keeps the chunk at the same offset even
 * when it missed the ones before.
 */
public record LivePosition(long offset, long lines, boolean lineStart) {
  /** The start of a log. */
  public static final LivePosition START = new LivePosition(0, 0, true);

  public LivePosition {
    if (offset < 0 || lines < 0 || lines > offset) {
      throw new IllegalArgumentException(
          "a log position is an offset >= 0 after at most as many lines: " + offset + ", " + lines);
    }
  }
}
