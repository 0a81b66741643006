package io.soilci.result;

import java.util.Locale;

/**
 * How one test ended, as the test table writes it; {@link #UNREADABLE} is a row for a report file
 * that could not be read.
 */
public enum TestStatus {
  PASS,
  FAIL,
  ERROR,
  SKIP,
  /** Not a test: a report the worker could not read; the row names the report and the reason. */
  UNREADABLE;

  /**
   * The table's word: {@code pass}, {@code fail}, {@code error}, {@code skip}, {@code unreadable}.
   */
  public String word() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** True for a test that failed or erred, and for an unreadable report. */
  public boolean isFailing() {
    return this == FAIL || this == ERROR || this == UNREADABLE;
  }

  /** The status a table word names; bad input for any other word. */
  public static TestStatus parse(String word) {
    for (TestStatus status : values()) {
      if (status.word().equals(word)) {
        return status;
      }
    }
    throw new BadInput(
        "test status '"
            + Printable.of(word)
            + "' must be one of pass, fail, error, skip, unreadable");
  }
}
