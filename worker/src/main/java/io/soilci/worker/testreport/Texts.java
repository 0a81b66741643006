package io.soilci.worker.testreport;

/** Cutting report text to the table's lengths. */
final class Texts {
  private Texts() {}

  /** {@code value} cut to at most {@code max} characters, never inside a surrogate pair. */
  static String cut(String value, int max) {
    if (value.length() <= max) {
      return value;
    }
    int end = Character.isHighSurrogate(value.charAt(max - 1)) ? max - 1 : max;
    return value.substring(0, end);
  }
}
