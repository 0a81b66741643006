package io.soilci.server.live;

import java.util.Arrays;
import java.util.OptionalLong;

/**
 * The newest bytes of one running task's log, at most {@code capacity}; offsets count every byte
 * ever appended, so a reader asks for "everything after offset N" and learns what was dropped. It
 * also counts the lines ever ended, so the lines it hands to a stream carry their numbers.
 */
final class TaskLog {
  private final byte[] kept;
  private int length;
  private long end;
  private long newlines;

  /** Whether the oldest kept byte begins a line (false once a drop cut a line in two). */
  private boolean headStartsLine = true;

  private long lastAppendNanos;

  /**
   * Just past the last byte kept of the worker's log as the worker counts it (its file's offsets,
   * which a chunk may carry); -1 until a chunk said where it begins. A chunk sent again (a retry
   * after a lost answer) begins before it: its bytes up to it are kept already.
   */
  private long sentEnd = -1;

  TaskLog(int capacity, long nowNanos) {
    this.kept = new byte[capacity];
    this.lastAppendNanos = nowNanos;
  }

  synchronized void append(byte[] chunk, long nowNanos) {
    lastAppendNanos = nowNanos;
    end += chunk.length;
    newlines += count(chunk, 0, chunk.length);
    if (chunk.length >= kept.length) {
      int cut = chunk.length - kept.length;
      headStartsLine = cut == 0 ? length == 0 || kept[length - 1] == '\n' : chunk[cut - 1] == '\n';
      System.arraycopy(chunk, cut, kept, 0, kept.length);
      length = kept.length;
      return;
    }
    int overflow = Math.max(0, length + chunk.length - kept.length);
    if (overflow > 0) {
      headStartsLine = kept[overflow - 1] == '\n';
      System.arraycopy(kept, overflow, kept, 0, length - overflow);
      length -= overflow;
    }
    System.arraycopy(chunk, 0, kept, length, chunk.length);
    length += chunk.length;
  }

  /**
   * Appends {@code chunk}, which begins at byte {@code sent} of the worker's log when the worker
   * said so: its bytes this tail holds already (a chunk sent again) are not appended twice.
   */
  synchronized void appendSent(OptionalLong sent, byte[] chunk, long nowNanos) {
    int held = sent.isPresent() ? held(sent.getAsLong(), chunk.length) : 0;
    if (held == chunk.length) {
      lastAppendNanos = nowNanos;
    } else {
      append(held == 0 ? chunk : Arrays.copyOfRange(chunk, held, chunk.length), nowNanos);
    }
    sentUpTo(sent, chunk.length);
  }

  /**
   * Forgets how far into the worker's log this tail holds: the job was started again, and its new
   * attempt's log begins at offset 0 again.
   */
  synchronized void restartSent() {
    sentEnd = -1;
  }

  private void sentUpTo(OptionalLong sent, int length) {
    if (sent.isPresent()) {
      sentEnd = Math.max(sentEnd, sent.getAsLong() + length);
    }
  }

  /**
   * How many leading bytes of a chunk of {@code length} bytes that begins at byte {@code sent} of
   * the worker's log this tail holds already (0 when no chunk said where it begins).
   */
  synchronized int held(long sent, int length) {
    if (sentEnd < 0 || sent >= sentEnd) {
      return 0;
    }
    return (int) Math.min(length, sentEnd - sent);
  }

  /**
   * Appends {@code chunk}, whose first byte is byte {@code at.offset()} of the log (and byte {@code
   * sent} of the worker's log, when it said so): bytes already kept (a chunk delivered again) are
   * not appended twice, and a chunk past the end (the bytes before it never arrived here) starts
   * the kept bytes anew at its offset, with the line count and line start {@code at} gives.
   */
  synchronized void appendAt(LivePosition at, OptionalLong sent, byte[] chunk, long nowNanos) {
    sentUpTo(sent, chunk.length);
    if (at.offset() > end) {
      length = 0;
      end = at.offset();
      newlines = at.lines();
      headStartsLine = at.lineStart();
    }
    int have = (int) Math.min(chunk.length, end - at.offset());
    if (have == chunk.length) {
      lastAppendNanos = nowNanos;
      return;
    }
    append(have == 0 ? chunk : Arrays.copyOfRange(chunk, have, chunk.length), nowNanos);
  }

  /**
   * Where the next byte goes: the end offset, the lines ended before it, and whether it starts one.
   */
  synchronized LivePosition position() {
    boolean lineStart = length == 0 ? headStartsLine : kept[length - 1] == '\n';
    return new LivePosition(end, newlines, lineStart);
  }

  /** The kept bytes from {@code offset} on (from the oldest kept byte if that is later). */
  synchronized LiveTail from(long offset) {
    long start = end - length;
    long from = Math.min(Math.max(offset, start), end);
    int skip = (int) (from - start);
    return new LiveTail(from, end, Arrays.copyOfRange(kept, skip, length));
  }

  /**
   * The whole lines kept from {@code offset} on: from the first line start at or after {@code
   * offset} (or after the oldest kept byte, when older ones were dropped) to the end of the last
   * line ended; with {@code partial}, the unended last line too (the task is over).
   */
  synchronized LiveLines lines(long offset, boolean partial) {
    long start = end - length;
    int from;
    if (offset < start) {
      from = headStartsLine ? 0 : lineStart(0);
    } else {
      from = (int) (Math.min(offset, end) - start);
    }
    int to = partial ? length : lastLineEnd(from);
    long firstLine = newlines - count(kept, from, length) + 1;
    return new LiveLines(start + from, start + to, firstLine, Arrays.copyOfRange(kept, from, to));
  }

  /** The index just past the first newline at or after {@code i}, or the end. */
  private int lineStart(int i) {
    for (int j = i; j < length; j++) {
      if (kept[j] == '\n') {
        return j + 1;
      }
    }
    return length;
  }

  private int lastLineEnd(int from) {
    for (int j = length - 1; j >= from; j--) {
      if (kept[j] == '\n') {
        return j + 1;
      }
    }
    return from;
  }

  private static long count(byte[] bytes, int from, int to) {
    long n = 0;
    for (int i = from; i < to; i++) {
      if (bytes[i] == '\n') {
        n++;
      }
    }
    return n;
  }

  synchronized long lastAppendNanos() {
    return lastAppendNanos;
  }

  synchronized long end() {
    return end;
  }
}
