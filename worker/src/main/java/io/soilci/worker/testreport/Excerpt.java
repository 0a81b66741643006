package io.soilci.worker.testreport;

import io.soilci.result.TestResult;

/**
 * The first lines of a text given in pieces: at most {@link TestResult#MAX_MESSAGE_LINES} lines and
 * {@link TestResult#MAX_MESSAGE} characters, leading blank lines dropped; whatever comes after is
 * ignored without being kept, so a test's 100 MB of output costs nothing.
 */
final class Excerpt {
  private final StringBuilder text = new StringBuilder();
  private int lines;
  private boolean full;

  void append(char[] chars, int start, int length) {
    for (int i = start; i < start + length && !full; i++) {
      append(chars[i]);
    }
  }

  void append(String value) {
    for (int i = 0; i < value.length() && !full; i++) {
      append(value.charAt(i));
    }
  }

  private void append(char c) {
    if (c == '\r') {
      return;
    }
    if (c == '\n') {
      if (text.toString().isBlank()) {
        text.setLength(0);
        return;
      }
      lines++;
      if (lines == TestResult.MAX_MESSAGE_LINES) {
        full = true;
        return;
      }
    }
    text.append(c);
    if (text.length() >= TestResult.MAX_MESSAGE) {
      full = true;
    }
  }

  boolean isEmpty() {
    return text.toString().isBlank();
  }

  /** The excerpt, trailing blanks removed. */
  @Override
  public String toString() {
    return Texts.cut(text.toString().stripTrailing(), TestResult.MAX_MESSAGE);
  }

  /** The first lines of {@code value}. */
  static String of(String value) {
    Excerpt excerpt = new Excerpt();
    excerpt.append(value);
    return excerpt.toString();
  }
}
