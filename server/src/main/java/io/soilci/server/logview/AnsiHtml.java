package io.soilci.server.logview;

import io.soilci.web.Html;
import java.nio.charset.StandardCharsets;

/**
 * One line of a log as HTML: its bytes decoded as UTF-8 (invalid bytes become U+FFFD), SGR colours
 * and attributes as {@code <span>}s, every character of the log escaped. Only this class writes
 * markup for log text, and the markup comes from the {@link Style}, never from the log.
 */
final class AnsiHtml implements AnsiText.Sink {
  private final StringBuilder out;
  private final int lineStart;
  private final int maxChars;
  private int chars;
  private boolean cut;
  private Style open = new Style();

  private AnsiHtml(StringBuilder out, int maxChars) {
    this.out = out;
    this.lineStart = out.length();
    this.maxChars = maxChars;
  }

  /**
   * Appends the HTML of {@code bytes[0, length)} (one line, no newline) to {@code out}; {@code
   * style} carries the SGR state from line to line. Stops after {@code maxChars} visible characters
   * and returns true if it did.
   */
  static boolean append(byte[] bytes, int length, Style style, int maxChars, StringBuilder out) {
    return append(new String(bytes, 0, length, StandardCharsets.UTF_8), style, maxChars, out);
  }

  static boolean append(String line, Style style, int maxChars, StringBuilder out) {
    AnsiHtml html = new AnsiHtml(out, maxChars);
    AnsiText.read(line, style, html);
    html.closeSpan();
    return html.cut;
  }

  /** The text of a line as a reader sees it: no escapes, no colours (for finding errors). */
  static String plain(String line) {
    if (AnsiText.isPlain(line)) {
      return line;
    }
    StringBuilder text = new StringBuilder(line.length());
    AnsiText.read(
        line,
        new Style(),
        new AnsiText.Sink() {
          @Override
          public boolean text(CharSequence s, int from, int to, Style style) {
            text.append(s, from, to);
            return true;
          }

          @Override
          public void restart() {
            text.setLength(0);
          }
        });
    return text.toString();
  }

  @Override
  public boolean text(CharSequence text, int from, int to, Style style) {
    if (!style.sameAs(open)) {
      closeSpan();
      if (!style.isPlain()) {
        out.append("<span").append(style.spanAttributes()).append('>');
      }
      open = style.copy();
    }
    int end = Math.min(to, from + maxChars - chars);
    if (end < to) {
      cut = true;
      if (end > from && Character.isHighSurrogate(text.charAt(end - 1))) {
        end--;
      }
    }
    Html.escape(text, from, end, out);
    chars += end - from;
    return !cut;
  }

  @Override
  public void restart() {
    out.setLength(lineStart);
    chars = 0;
    open = new Style();
  }

  private void closeSpan() {
    if (!open.isPlain()) {
      out.append("</span>");
      open = new Style();
    }
  }
}
