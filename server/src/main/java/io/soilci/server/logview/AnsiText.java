package io.soilci.server.logview;

/**
 * Reads one line of terminal output: ANSI SGR sequences ({@code ESC [ … m}) change the {@link
 * Style}, every other escape or control sequence (cursor moves, OSC titles and links, DCS, C1
 * controls) is dropped, a carriage return inside the line starts it over as a terminal would, and
 * the other C0 controls (NUL, BEL, …) show as their Unicode control pictures.
 */
final class AnsiText {
  private static final char ESC = 0x1b;
  private static final int MAX_PARAMS = 256;

  /** Where the text of a line goes, in runs of one style. */
  interface Sink {
    /** {@code text[from, to)} in {@code style}; false to stop reading the line. */
    boolean text(CharSequence text, int from, int to, Style style);

    /** A carriage return inside the line: what was written so far is overwritten. */
    void restart();
  }

  private final String line;
  private final Style style;
  private final Sink sink;
  private int at;

  private AnsiText(String line, Style style, Sink sink) {
    this.line = line;
    this.style = style;
    this.sink = sink;
  }

  /** Whether {@code line} has no escape or control character: then it is read as it is. */
  static boolean isPlain(String line) {
    for (int i = 0; i < line.length(); i++) {
      if (!isText(line.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  private static boolean isText(char c) {
    return (c >= 0x20 && c != 0x7f && (c < 0x80 || c > 0x9f)) || c == '\t';
  }

  /** Feeds {@code line} (without its newline) to {@code sink}, updating {@code style}. */
  static void read(String line, Style style, Sink sink) {
    new AnsiText(line, style, sink).read();
  }

  private void read() {
    int end = line.length();
    while (end > 0 && line.charAt(end - 1) == '\r') {
      end--;
    }
    int run = 0;
    while (at < end) {
      char c = line.charAt(at);
      if (isText(c)) {
        at++;
        continue;
      }
      if (run < at && !sink.text(line, run, at, style)) {
        return;
      }
      if (!control(c, end)) {
        return;
      }
      run = at;
    }
    if (run < end) {
      sink.text(line, run, end, style);
    }
  }

  /** Handles the control character at {@code at}; false if the sink asked to stop. */
  private boolean control(char c, int end) {
    if (c == ESC) {
      escape(end);
      return true;
    }
    at++;
    if (c == '\r') {
      sink.restart();
      return true;
    }
    if (c < 0x20 || c == 0x7f) {
      String picture = String.valueOf(c == 0x7f ? '\u2421' : (char) (0x2400 + c));
      return sink.text(picture, 0, 1, style);
    }
    return true; // a C1 control: dropped
  }

  private void escape(int end) {
    at++;
    if (at >= end) {
      return;
    }
    char kind = line.charAt(at);
    if (kind == '[') {
      at++;
      csi(end);
    } else if (kind == ']' || kind == 'P' || kind == 'X' || kind == '^' || kind == '_') {
      at++;
      controlString(end);
    } else {
      while (at < end && line.charAt(at) >= 0x20 && line.charAt(at) <= 0x2f) {
        at++;
      }
      if (at < end && line.charAt(at) >= 0x30 && line.charAt(at) <= 0x7e) {
        at++;
      }
    }
  }

  /** {@code ESC [ params intermediates final}: only a plain SGR ({@code m}) is applied. */
  private void csi(int end) {
    int paramsStart = at;
    while (at < end && line.charAt(at) >= 0x30 && line.charAt(at) <= 0x3f) {
      at++;
    }
    int paramsEnd = at;
    while (at < end && line.charAt(at) >= 0x20 && line.charAt(at) <= 0x2f) {
      at++;
    }
    if (at >= end || line.charAt(at) < 0x40 || line.charAt(at) > 0x7e) {
      return; // malformed: dropped, the next character is read as text
    }
    char fin = line.charAt(at++);
    boolean plainParams = paramsEnd - paramsStart <= MAX_PARAMS && paramsEnd == at - 1;
    for (int i = paramsStart; plainParams && i < paramsEnd; i++) {
      char p = line.charAt(i);
      plainParams = (p >= '0' && p <= '9') || p == ';' || p == ':';
    }
    if (fin == 'm' && plainParams) {
      style.apply(line.substring(paramsStart, paramsEnd));
    }
  }

  /** OSC, DCS, SOS, PM, APC: dropped up to BEL or {@code ESC \}, or to the end of the line. */
  private void controlString(int end) {
    while (at < end) {
      char c = line.charAt(at++);
      if (c == 0x07 || c == 0x9c) {
        return;
      }
      if (c == ESC && at < end && line.charAt(at) == '\\') {
        at++;
        return;
      }
    }
  }
}
