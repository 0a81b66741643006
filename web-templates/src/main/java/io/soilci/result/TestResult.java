package io.soilci.result;

/**
 * One row of a job's test table ({@link SiteLayout#TEST_RESULTS}): one test case from one report,
 * or one report that could not be read.
 *
 * @param task the task that declared the report
 * @param suite the test's class or suite, possibly empty
 * @param name the test's name as the report wrote it (never normalized); for an unreadable report,
 *     the report's path
 * @param seconds the test's time, or -1 when the report gave none
 * @param message the first lines of the failure, error or skip message, possibly empty; for an
 *     unreadable report, why
 * @param report the report's path inside the wwz
 * @param line the report's line the test came from (1-based), or 0 when unknown
 */
public record TestResult(
    TaskName task,
    String suite,
    String name,
    TestStatus status,
    double seconds,
    String message,
    String report,
    int line) {
  /** The most characters of a suite or test name kept. */
  public static final int MAX_NAME = 1000;

  /** The most characters of a message kept. */
  public static final int MAX_MESSAGE = 2000;

  /** The most lines of a message kept. */
  public static final int MAX_MESSAGE_LINES = 10;

  public TestResult {
    requireLength("suite", suite, MAX_NAME);
    requireLength("name", name, MAX_NAME);
    requireLength("message", message, MAX_MESSAGE);
    WwzPath.require("test report", report);
    if (!(seconds == -1 || (seconds >= 0 && seconds <= TaskRow.MAX_ELAPSED_SECONDS))) {
      throw new BadInput(
          "test '" + Printable.of(name) + "': seconds " + seconds + " must be -1 or 0-31622400");
    }
    if (line < 0) {
      throw new BadInput("test '" + Printable.of(name) + "': line " + line + " must be >= 0");
    }
  }

  /** The test's time, when the report gave one. */
  public java.util.OptionalDouble time() {
    return seconds < 0 ? java.util.OptionalDouble.empty() : java.util.OptionalDouble.of(seconds);
  }

  private static void requireLength(String what, String value, int max) {
    if (value.length() > max) {
      throw new BadInput(
          "test " + what + " '" + Printable.of(value) + "' is longer than " + max + " characters");
    }
  }
}
