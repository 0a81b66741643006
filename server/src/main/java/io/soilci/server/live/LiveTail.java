package io.soilci.server.live;

/**
 * Bytes {@code start} to {@code end} of a task's log (offsets count every byte the worker sent);
 * {@code start} is later than asked for when older bytes were dropped.
 */
record LiveTail(long start, long end, byte[] bytes) {
  LiveTail {
    if (start < 0 || end < start || bytes.length != end - start) {
      throw new IllegalArgumentException("tail " + start + ".." + end + " of " + bytes.length);
    }
  }
}
