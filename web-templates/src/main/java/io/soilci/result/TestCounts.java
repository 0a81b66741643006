package io.soilci.result;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How many tests of a task or job ended each way, and how many of its reports were unreadable. In
 * {@code JOB.json} under {@link JobMeta#TEST_COUNT_KEYS}.
 */
public record TestCounts(int passed, int failed, int errors, int skipped, int unreadable) {
  public static final TestCounts NONE = new TestCounts(0, 0, 0, 0, 0);

  /** These counts and one more row of {@code status}. */
  public TestCounts with(TestStatus status) {
    return switch (status) {
      case PASS -> new TestCounts(passed + 1, failed, errors, skipped, unreadable);
      case FAIL -> new TestCounts(passed, failed + 1, errors, skipped, unreadable);
      case ERROR -> new TestCounts(passed, failed, errors + 1, skipped, unreadable);
      case SKIP -> new TestCounts(passed, failed, errors, skipped + 1, unreadable);
      case UNREADABLE -> new TestCounts(passed, failed, errors, skipped, unreadable + 1);
    };
  }

  /** The sum of both. */
  public TestCounts plus(TestCounts other) {
    return new TestCounts(
        passed + other.passed,
        failed + other.failed,
        errors + other.errors,
        skipped + other.skipped,
        unreadable + other.unreadable);
  }

  /** Test cases, not counting unreadable reports. */
  public int tests() {
    return passed + failed + errors + skipped;
  }

  /** The {@code JOB.json} keys and values, in {@link JobMeta#TEST_COUNT_KEYS}' order. */
  public Map<String, String> metaValues() {
    Map<String, String> values = new LinkedHashMap<>();
    values.put(JobMeta.TESTS_PASSED, Integer.toString(passed));
    values.put(JobMeta.TESTS_FAILED, Integer.toString(failed));
    values.put(JobMeta.TESTS_ERRORS, Integer.toString(errors));
    values.put(JobMeta.TESTS_SKIPPED, Integer.toString(skipped));
    values.put(JobMeta.TEST_REPORTS_UNREADABLE, Integer.toString(unreadable));
    return values;
  }
}
