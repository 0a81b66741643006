package io.soilci.worker.run;

import io.soilci.result.ExitStatus;
import io.soilci.result.JobSummary;
import io.soilci.result.Plural;
import io.soilci.result.TaskRow;
import io.soilci.result.TestCounts;
import io.soilci.worker.provider.TaskResult;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/** The lines a person watching the job reads: one per finished task, then a summary. */
final class Progress {
  /** The shell's status for a command found but not executable (setsid's too). */
  private static final int NOT_EXECUTABLE = 126;

  /** The shell's status for a command not found (setsid's too). */
  private static final int NOT_FOUND = 127;

  private final PrintWriter out;

  Progress(PrintWriter out) {
    this.out = out;
  }

  /** E.g. {@code [2/3] unit: status 1 (failed) in 312.50 s}. */
  void taskFinished(int done, int total, TaskRow row, Duration timeout) {
    String outcome;
    if (row.status() == 0) {
      outcome = "status 0";
    } else if (row.status() == TaskResult.TIMED_OUT) {
      outcome = "status 124 (timed out after " + timeout.toSeconds() + " s)";
    } else if (row.status() == ExitStatus.SKIPPED) {
      outcome = "status " + ExitStatus.SKIPPED + " (skipped: a task it needs did not pass)";
    } else if (row.status() == NOT_EXECUTABLE) {
      outcome =
          "status 126 (not executable: give the script its execute bit (chmod +x; in git: git"
              + " update-index --chmod=+x))";
    } else if (row.status() == NOT_FOUND) {
      outcome =
          "status 127 (command not found: check the script's path (relative to the checkout), its"
              + " #! line, and that what it runs is on the PATH where tasks run: the container, or"
              + " the host)";
    } else if (row.status() == JobRunner.INFRASTRUCTURE_FAILED) {
      outcome = "status 255 (the infrastructure failed)";
    } else {
      outcome = "status " + row.status() + " (failed)";
    }
    out.printf(
        Locale.ROOT,
        "[%d/%d] %s: %s in %.2f s%n",
        done,
        total,
        row.name(),
        outcome,
        row.elapsedSeconds());
    out.flush();
  }

  /** E.g. {@code tests: 120 passed, 2 failed, 0 errors, 3 skipped; 1 report unreadable}. */
  void tests(TestCounts counts) {
    out.printf(
        Locale.ROOT,
        "tests: %d passed, %d failed, %d errors, %d skipped; %d report(s) unreadable%n",
        counts.passed(),
        counts.failed(),
        counts.errors(),
        counts.skipped(),
        counts.unreadable());
    out.flush();
  }

  void stopped(String failure, int notRun) {
    out.printf(Locale.ROOT, "stopped: %s; %d task(s) not run%n", failure, notRun);
    out.flush();
  }

  void cancelled(StopSignal signal, int notRun) {
    out.printf(
        Locale.ROOT,
        "cancelled by %s: the running task was killed; %d task(s) not run%n",
        signal.signalName(),
        notRun);
    out.flush();
  }

  void packaged(String wwz, WwzStats stats) {
    out.printf(
        Locale.ROOT,
        "packaged %s: %d files, %.1f MiB -> %.1f MiB in %.2f s%n",
        wwz,
        stats.files(),
        stats.inputBytes() / 1048576.0,
        stats.zipBytes() / 1048576.0,
        stats.seconds());
    out.flush();
  }

  /**
   * E.g. {@code job cpp-small passed: 3 tasks in 5:14, exit status 0; results in OUT} or {@code job
   * cpp-small failed: 1 of 3 tasks failed (unit) in 5:14, exit status 1; results in OUT}.
   */
  void summary(JobSummary summary, String outDir) {
    String tasks = Plural.count(summary.tasks().size(), "task");
    List<TaskRow> failed = summary.failedTasks();
    String verdict =
        failed.isEmpty()
            ? "passed: " + tasks
            : "failed: "
                + failed.size()
                + " of "
                + tasks
                + " failed"
                + (failed.size() == 1 ? " (" + failed.get(0).name() + ")" : "");
    out.printf(
        Locale.ROOT,
        "job %s %s in %s, exit status %d; results in %s%n",
        summary.job(),
        verdict,
        summary.elapsedText(),
        summary.maxStatus(),
        outDir);
    out.flush();
  }
}
