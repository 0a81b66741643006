package io.soilci.server.live;

import java.util.Arrays;

/**
 * The newest bytes of one running task's log, at most {@code capacity}; offsets count every byte
 * ever appended, so a reader asks for "everything after offset N" and learns what was dropped.
 */
final class TaskLog {
  private final byte[] kept;
  private int length;
  private long end;
  private long lastAppendNanos;

  TaskLog(int capacity, long nowNanos) {
    this.kept = new byte[capacity];
    this.lastAppendNanos = nowNanos;
  }

  synchronized void append(byte[] chunk, long nowNanos) {
    lastAppendNanos = nowNanos;
    end += chunk.length;
    if (chunk.length >= kept.length) {
      System.arraycopy(chunk, chunk.length - kept.length, kept, 0, kept.length);
      length = kept.length;
      return;
    }
    int overflow = Math.max(0, length + chunk.length - kept.length);
    if (overflow > 0) {
      System.arraycopy(kept, overflow, kept, 0, length - overflow);
      length -= overflow;
    }
    System.arraycopy(chunk, 0, kept, length, chunk.length);
    length += chunk.length;
  }

  /** The kept bytes from {@code offset} on (from the oldest kept byte if that is later). */
  synchronized LiveTail from(long offset) {
    long start = end - length;
    long from = Math.min(Math.max(offset, start), end);
    int skip = (int) (from - start);
    return new LiveTail(from, end, Arrays.copyOfRange(kept, skip, length));
  }

  synchronized long lastAppendNanos() {
    return lastAppendNanos;
  }

  synchronized long end() {
    return end;
  }
}
