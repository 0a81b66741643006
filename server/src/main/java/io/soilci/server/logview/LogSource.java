package io.soilci.server.logview;

import java.io.IOException;
import java.io.InputStream;

/** A log's bytes, opened afresh for each read (e.g. an entry of a zip, inflated). */
public interface LogSource {
  /** The log from its first byte. */
  InputStream open() throws IOException;

  /** The log's size in bytes. */
  long size();

  /**
   * Whether reaching a byte means inflating every byte before it (a deflated zip entry): the first
   * view of such a log, when it is big, keeps an inflated copy so that its windows are found by
   * seeking.
   */
  boolean compressed();

  /** The log from byte {@code offset}: by default the bytes before it are read and dropped. */
  default InputStream openAt(long offset) throws IOException {
    InputStream in = open();
    try {
      byte[] dropped = new byte[64 * 1024];
      for (long left = offset; left > 0; ) {
        int n = in.read(dropped, 0, (int) Math.min(dropped.length, left));
        if (n < 0) {
          break;
        }
        left -= n;
      }
      return in;
    } catch (IOException | RuntimeException e) {
      in.close();
      throw e;
    }
  }
}
