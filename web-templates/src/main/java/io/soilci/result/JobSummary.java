package io.soilci.result;

import java.util.List;

/** What a person wants to know of a finished job: passed or not, what failed, how long. */
public record JobSummary(JobName job, List<TaskRow> tasks) {
  public JobSummary {
    tasks = List.copyOf(tasks);
  }

  /** True only if every task's status is 0 (a job with no tasks did nothing, and passed). */
  public boolean passed() {
    return failedTasks().isEmpty();
  }

  public List<TaskRow> failedTasks() {
    return tasks.stream().filter(t -> !t.passed()).toList();
  }

  /** The largest task status, as Soil's {@code did-all-succeed}: the job's exit status. */
  public int maxStatus() {
    return tasks.stream().mapToInt(TaskRow::status).max().orElse(0);
  }

  /** {@code "passed"}, {@code "task X"} for one failure, or {@code "N of M tasks failed"}. */
  public String statusText() {
    List<TaskRow> failed = failedTasks();
    if (failed.isEmpty()) {
      return "passed";
    }
    if (failed.size() == 1) {
      return "task " + failed.get(0).name();
    }
    return failed.size() + " of " + Plural.count(tasks.size(), "task") + " failed";
  }

  /** The sum of the tasks' elapsed seconds. */
  public double elapsedSeconds() {
    return tasks.stream().mapToDouble(TaskRow::elapsedSeconds).sum();
  }

  /** The run time as Soil shows it, {@code M:SS}. */
  public String elapsedText() {
    return Durations.minutesSeconds(elapsedSeconds());
  }
}
