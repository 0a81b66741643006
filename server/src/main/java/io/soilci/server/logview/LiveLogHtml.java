package io.soilci.server.logview;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Set;

/**
 * Lines of a running task's log as the log view shows them (colours, numbers, anchors), for the
 * lines a stream sends as they arrive; sections are folded only within one batch of lines.
 */
public final class LiveLogHtml {
  private LiveLogHtml() {}

  /**
   * The lines in {@code bytes} as HTML, the first numbered {@code firstLine}.
   *
   * @param rawHref the raw log, linked from a line too long to show whole
   */
  public static String lines(long firstLine, byte[] bytes, String rawHref) {
    return read(firstLine, bytes, rawHref).html();
  }

  /** The lines in {@code bytes}, the first numbered {@code firstLine}, to render. */
  static LogLines read(long firstLine, byte[] bytes, String rawHref) {
    LogLines html = new LogLines(rawHref, Set.of());
    try {
      LineReader reader = new LineReader(new ByteArrayInputStream(bytes), LogScan.KEPT_LINE_BYTES);
      for (long n = firstLine; reader.next(); n++) {
        html.add(n, reader.bytes(), reader.kept(), reader.length());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("reading bytes in memory", e);
    }
    return html;
  }
}
