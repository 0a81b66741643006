package io.soilci.server.site;

import io.soilci.result.Durations;
import io.soilci.result.JobName;
import io.soilci.result.JobSummary;
import io.soilci.result.Plural;
import io.soilci.result.TaskRow;
import java.util.List;

/** A job's task table summed up: counts, the first failed task and the run time. */
record TaskTotals(int tasks, int failed, int maxStatus, String firstFailed, double elapsed) {
  static final TaskTotals NONE = new TaskTotals(0, 0, 0, "", 0);

  /** A job whose files could not be read: not a pass, and 255 where a status is asked for. */
  static final TaskTotals BROKEN = new TaskTotals(0, 1, 255, "", 0);

  static TaskTotals of(JobName job, List<TaskRow> rows) {
    JobSummary summary = new JobSummary(job, rows);
    List<TaskRow> failedRows = summary.failedTasks();
    return new TaskTotals(
        rows.size(),
        failedRows.size(),
        summary.maxStatus(),
        failedRows.isEmpty() ? "" : failedRows.get(0).name().value(),
        summary.elapsedSeconds());
  }

  boolean passed() {
    return failed == 0;
  }

  /** {@code "passed"}, {@code "task X"} or {@code "N of M tasks failed"}, as {@link JobSummary}. */
  String statusText() {
    if (failed == 0) {
      return "passed";
    }
    return failed == 1
        ? "task " + firstFailed
        : failed + " of " + Plural.count(tasks, "task") + " failed";
  }

  String elapsedText() {
    return Durations.minutesSeconds(elapsed);
  }
}
