package io.soilci.server.logview;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Splits a stream into lines at {@code \n} in bounded memory: of a line longer than {@code
 * maxLineBytes} only the first bytes are kept (its full length is still counted), so a 50 MB line
 * costs no more memory than a short one.
 */
final class LineReader {
  private final InputStream in;
  private final byte[] buffer = new byte[64 * 1024];
  private int position;
  private int limit;
  private final byte[] line;
  private int kept;
  private long length;
  private long start;
  private long offset;

  LineReader(InputStream in, int maxLineBytes) {
    this.in = in;
    this.line = new byte[maxLineBytes];
  }

  /** Reads the next line; false at the end. A last line without a newline counts if not empty. */
  boolean next() throws IOException {
    kept = 0;
    length = 0;
    start = offset;
    while (true) {
      if (position == limit && !fill()) {
        return length > 0;
      }
      int newline = indexOfNewline();
      int end = newline < 0 ? limit : newline;
      keep(end - position);
      offset += end - position + (newline < 0 ? 0 : 1);
      position = newline < 0 ? limit : newline + 1;
      if (newline >= 0) {
        return true;
      }
    }
  }

  private boolean fill() throws IOException {
    int n = in.read(buffer);
    if (n <= 0) {
      return false;
    }
    position = 0;
    limit = n;
    return true;
  }

  private int indexOfNewline() {
    for (int i = position; i < limit; i++) {
      if (buffer[i] == '\n') {
        return i;
      }
    }
    return -1;
  }

  private void keep(int n) {
    int room = Math.min(n, line.length - kept);
    System.arraycopy(buffer, position, line, kept, room);
    kept += room;
    length += n;
  }

  /** The kept bytes of the line: {@code bytes()[0, kept())}. */
  byte[] bytes() {
    return line;
  }

  int kept() {
    return kept;
  }

  /** The line's full length in bytes, without its newline. */
  long length() {
    return length;
  }

  /** The byte offset of the line's start in the stream. */
  long start() {
    return start;
  }

  /** The byte offset just past the line and its newline. */
  long end() {
    return offset;
  }

  /** The kept bytes as text (invalid UTF-8 becomes U+FFFD). */
  String text() {
    return new String(line, 0, kept, StandardCharsets.UTF_8);
  }
}
