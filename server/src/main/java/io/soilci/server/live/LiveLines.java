package io.soilci.server.live;

/**
 * Whole lines of a running task's log: bytes {@code start} to {@code end} (offsets count every byte
 * the worker sent), the first of them line {@code firstLine} of the log.
 */
record LiveLines(long start, long end, long firstLine, byte[] bytes) {
  LiveLines {
    if (start < 0 || end < start || bytes.length != end - start || firstLine < 1) {
      throw new IllegalArgumentException(
          "lines " + start + ".." + end + " of " + bytes.length + " from line " + firstLine);
    }
  }

  boolean isEmpty() {
    return bytes.length == 0;
  }
}
