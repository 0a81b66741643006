package io.soilci.server.site;

import io.soilci.result.BadInput;
import io.soilci.result.JobMeta;
import io.soilci.result.JobName;
import io.soilci.result.SiteLayout;
import io.soilci.result.TaskName;
import io.soilci.result.TestCounts;
import io.soilci.result.TestResult;
import io.soilci.result.TestStatus;
import io.soilci.result.TestTable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.apache.commons.io.input.BoundedInputStream;

/**
 * What the index keeps of a job's test table ({@link SiteLayout#TEST_RESULTS} in its wwz): each
 * task's counts, the job's, and its first {@link #MAX_FAILING} failing tests (and unreadable
 * reports) with names and message cut to {@link #MAX_TEXT} characters, so a job costs at most ~20
 * KB of the index however many tests it ran.
 *
 * @param byTask each task's counts, in table order; empty for a job without a test table
 * @param failing the first failing rows, in table order
 * @param failingNotKept how many more failing rows the table has
 * @param problem why the table could not be read, or empty
 * @param failingKeys for each of {@code failing}, the test it is (empty for an unreadable report):
 *     the tests that get a history page ({@link TestHistory})
 * @param results every test result of the job, for history ({@link JobTests})
 */
record TestSummary(
    Map<String, TestCounts> byTask,
    TestCounts total,
    List<TestResult> failing,
    int failingNotKept,
    String problem,
    List<Optional<TestKey>> failingKeys,
    JobTests results) {
  static final int MAX_FAILING = 20;
  static final int MAX_TEXT = 300;
  static final int MAX_MESSAGE_LINES = 5;

  /** The most bytes of the table read: past it the table is a problem, not a page's content. */
  static final long MAX_TABLE_BYTES = 512L * 1024 * 1024;

  static final TestSummary NONE =
      new TestSummary(Map.of(), TestCounts.NONE, List.of(), 0, "", List.of(), JobTests.NONE);

  TestSummary {
    byTask = Collections.unmodifiableMap(new LinkedHashMap<>(byTask));
    failing = List.copyOf(failing);
    failingKeys = List.copyOf(failingKeys);
  }

  /** The tests among the failing rows kept: each has a history page. */
  List<TestKey> pageKeys() {
    return failingKeys.stream().flatMap(Optional::stream).toList();
  }

  /** True when the job has a test table (or should have had one). */
  boolean present() {
    return !byTask.isEmpty() || !problem.isEmpty();
  }

  /**
   * The summary of a stored job: read from {@code wwz} when its metadata has the test counts (the
   * worker writes them only with a table), else {@link #NONE} without opening the zip. A table that
   * cannot be read gives a summary with the problem; it never stops the job from being shown.
   */
  static TestSummary of(JobMeta meta, JobName job, Path wwz, String source) {
    if (meta.get(JobMeta.TESTS_PASSED).isEmpty()) {
      return NONE;
    }
    Map<String, TestCounts> byTask = new LinkedHashMap<>();
    List<TestResult> failing = new ArrayList<>();
    List<Optional<TestKey>> failingKeys = new ArrayList<>();
    JobTests.Builder results = new JobTests.Builder(job.value());
    int[] notKept = {0};
    String where = source + " " + SiteLayout.TEST_RESULTS;
    try (ZipFile zip = new ZipFile(wwz.toFile())) {
      ZipEntry entry = zip.getEntry(SiteLayout.TEST_RESULTS);
      if (entry == null) {
        return problem("the wwz has no " + SiteLayout.TEST_RESULTS);
      }
      try (InputStream raw = zip.getInputStream(entry);
          BoundedInputStream in =
              BoundedInputStream.builder().setInputStream(raw).setMaxCount(MAX_TABLE_BYTES).get()) {
        TestTable.read(
            in,
            where,
            row -> {
              String task = row.task().value().intern();
              byTask.merge(task, TestCounts.NONE.with(row.status()), TestCounts::plus);
              results.add(row);
              if (row.status().isFailing()) {
                if (failing.size() < MAX_FAILING) {
                  failing.add(kept(row));
                  failingKeys.add(
                      row.status() == TestStatus.UNREADABLE
                          ? Optional.empty()
                          : Optional.of(results.keyOf(row)));
                } else {
                  notKept[0]++;
                }
              }
            });
        if (in.getCount() >= MAX_TABLE_BYTES) {
          return problem(where + " is larger than " + MAX_TABLE_BYTES + " bytes");
        }
      }
    } catch (IOException | BadInput e) {
      return problem(String.valueOf(e.getMessage()));
    }
    TestCounts total = byTask.values().stream().reduce(TestCounts.NONE, TestCounts::plus);
    return new TestSummary(byTask, total, failing, notKept[0], "", failingKeys, results.build());
  }

  private static TestSummary problem(String why) {
    String shown = why.length() > MAX_TEXT ? why.substring(0, MAX_TEXT) + "..." : why;
    return new TestSummary(
        Map.of(),
        TestCounts.NONE,
        List.of(),
        0,
        "test table unreadable: " + shown,
        List.of(),
        JobTests.NONE);
  }

  /** A failing row as the index keeps it: texts cut, the task name shared. */
  private static TestResult kept(TestResult row) {
    List<String> lines = row.message().lines().limit(MAX_MESSAGE_LINES).toList();
    return new TestResult(
        new TaskName(row.task().value().intern()),
        cut(row.suite()),
        cut(row.name()),
        row.status(),
        row.seconds(),
        cut(String.join("\n", lines)),
        row.report(),
        row.line());
  }

  private static String cut(String text) {
    if (text.length() <= MAX_TEXT) {
      return text;
    }
    int end = Character.isHighSurrogate(text.charAt(MAX_TEXT - 1)) ? MAX_TEXT - 1 : MAX_TEXT;
    return text.substring(0, end) + "…";
  }

  /** "12 passed, 1 failed, 2 skipped" (errors count as failed; unreadable reports said too). */
  static String text(TestCounts counts) {
    StringBuilder out = new StringBuilder();
    out.append(counts.passed()).append(" passed, ");
    out.append(counts.failed() + counts.errors()).append(" failed, ");
    out.append(counts.skipped()).append(" skipped");
    if (counts.unreadable() > 0) {
      out.append(", ").append(counts.unreadable()).append(" report");
      out.append(counts.unreadable() == 1 ? "" : "s").append(" unreadable");
    }
    return out.toString();
  }
}
