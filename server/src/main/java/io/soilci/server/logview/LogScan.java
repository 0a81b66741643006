package io.soilci.server.logview;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/** Reads a whole log once, streaming, into its {@link LogFacts}. */
final class LogScan {
  /** Bytes of a line kept to be shown or searched; the rest is only counted. */
  static final int KEPT_LINE_BYTES = 16 * 1024;

  private LogScan() {}

  static LogFacts scan(InputStream in, ErrorPatterns patterns) throws IOException {
    LineReader reader = new LineReader(in, KEPT_LINE_BYTES);
    ErrorFinder finder = new ErrorFinder(patterns);
    long[] starts = new long[16];
    int windows = 0;
    long lines = 0;
    while (reader.next()) {
      if (lines % LogFacts.WINDOW == 0) {
        if (windows == starts.length) {
          starts = Arrays.copyOf(starts, windows * 2);
        }
        starts[windows++] = reader.start();
      }
      lines++;
      finder.line(reader.text());
    }
    return new LogFacts(lines, Arrays.copyOf(starts, windows), finder.excerpt());
  }
}
