package io.soilci.worker.provider;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;

/**
 * Reads the supervisor's stdout: a task's output up to the line {@code "\nMARK WORD\n"} that ends
 * it. The newline before the mark is the supervisor's, so a log gets exactly the task's bytes.
 */
final class MarkedStream {
  private static final int MAX_WORD = 64;

  private final InputStream in;
  private final byte[] pattern;
  private final byte[] buf = new byte[64 * 1024];
  private int pos;
  private int limit;

  MarkedStream(InputStream in, String mark) {
    this.in = in;
    this.pattern = ("\n" + mark + " ").getBytes(StandardCharsets.US_ASCII);
    if (mark.indexOf('\n') >= 0) {
      throw new IllegalArgumentException("mark has a newline");
    }
  }

  /**
   * Copies bytes to {@code sink} until the next mark and returns the word after it (a status or
   * {@code ready}); null when the stream ends first. {@code sink} is flushed whenever no more input
   * is ready, so what it holds is never older than the task's last pause.
   */
  @Nullable String copyUntilMark(OutputStream sink) throws IOException {
    // Only pattern[0] is '\n', so after a mismatch the match can only restart at this byte.
    int matched = 0;
    int carried = 0; // matched bytes from an earlier buffer, not yet written
    int spanStart = pos;
    boolean unflushed = false;
    while (true) {
      if (pos == limit) {
        int span = pos - spanStart - (matched - carried);
        sink.write(buf, spanStart, span);
        unflushed |= span > 0;
        carried = matched;
        if (unflushed && in.available() == 0) {
          // The task is quiet for now: what it printed goes to the log (and the live log) now,
          // not when a buffer fills or the task ends.
          sink.flush();
          unflushed = false;
        }
        if (!fill()) {
          sink.write(pattern, 0, carried);
          return null;
        }
        spanStart = 0;
      }
      byte b = buf[pos++];
      if (b == pattern[matched]) {
        matched++;
        if (matched == pattern.length) {
          sink.write(buf, spanStart, pos - spanStart - (matched - carried));
          return readWord();
        }
      } else if (matched > 0) {
        sink.write(pattern, 0, carried);
        carried = 0;
        matched = b == pattern[0] ? 1 : 0;
      }
    }
  }

  private String readWord() throws IOException {
    StringBuilder word = new StringBuilder();
    while (true) {
      if (pos == limit && !fill()) {
        return word.toString();
      }
      byte b = buf[pos++];
      if (b == '\n') {
        return word.toString();
      }
      if (word.length() < MAX_WORD) {
        word.append((char) (b & 0xff));
      }
    }
  }

  private boolean fill() throws IOException {
    int n = in.read(buf);
    pos = 0;
    limit = Math.max(n, 0);
    return n > 0;
  }
}
