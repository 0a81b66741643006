package io.soilci.server.site;

import io.soilci.result.JobMeta;
import io.soilci.result.JobName;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One job of a run as the index knows it: its stored files' facts, its running state, or both (a
 * job run again after it stored files shows as running until its new files arrive).
 */
record JobEntry(JobName name, @Nullable JobFacts stored, @Nullable RunningJob running) {
  JobEntry {
    if (stored == null && running == null) {
      throw new IllegalArgumentException("job " + name + " has neither files nor running state");
    }
  }

  /** True while the job runs: started, no done event, no new files yet. */
  boolean inProgress() {
    return running != null && !running.done();
  }

  /** True once the job stored its files or a done event came. */
  boolean done() {
    return !inProgress();
  }

  /** {@code running}, {@code pass} or {@code fail}. */
  String state() {
    if (inProgress()) {
      return "running";
    }
    return maxStatus() == 0 ? "pass" : "fail";
  }

  /** The state the metrics count: running, lost, cancelled, else passed or failed. */
  JobCounts.State countedState() {
    if (inProgress()) {
      return JobCounts.State.RUNNING;
    }
    boolean filesShown = stored != null && (running == null || !running.done());
    String note = filesShown ? "" : Objects.requireNonNull(running).endNote();
    if (note.startsWith(Site.LOST)) {
      return JobCounts.State.LOST;
    }
    if (filesShown ? !Objects.requireNonNull(stored).cancelled().isEmpty() : !note.isEmpty()) {
      return JobCounts.State.CANCELLED;
    }
    return maxStatus() == 0 ? JobCounts.State.PASSED : JobCounts.State.FAILED;
  }

  /** The largest task status of the stored tasks, else the done event's status. */
  int maxStatus() {
    if (stored != null && (running == null || !running.done())) {
      return stored.totals().maxStatus();
    }
    return Objects.requireNonNullElse(Objects.requireNonNull(running).doneStatus(), 0);
  }

  /** When the job started (epoch seconds): the running start, else {@code task-run-start-time}. */
  long startEpoch() {
    return running != null ? running.startedEpoch() : Objects.requireNonNull(stored).startEpoch();
  }

  /** Seconds of work known: the stored tasks' sum, else the finished tasks' sum. */
  double elapsed() {
    if (running == null) {
      return Objects.requireNonNull(stored).totals().elapsed();
    }
    return running.finished().stream().mapToDouble(r -> r.elapsedSeconds()).sum();
  }

  /** The facts pages show beside the status ({@code "task X"}, {@code "running unit"} ...). */
  String statusText() {
    if (inProgress()) {
      RunningJob now = Objects.requireNonNull(running);
      return now.runningTasks().isEmpty()
          ? "running"
          : "running " + String.join(", ", now.runningTasks().keySet());
    }
    if (stored != null && (running == null || !running.done())) {
      if (stored.isBroken()) {
        return "broken: " + stored.broken();
      }
      return stored.cancelled().isEmpty()
          ? stored.totals().statusText()
          : "cancelled by " + stored.cancelled();
    }
    String note = Objects.requireNonNull(running).endNote();
    if (!note.isEmpty()) {
      return note + " (no files)";
    }
    return maxStatus() == 0 ? "passed (no files)" : "status " + maxStatus() + " (no files)";
  }

  /** The stored facts when the job's files are what pages should show. */
  @Nullable JobFacts shownFacts() {
    return running == null ? stored : null;
  }

  String commit() {
    JobFacts facts = commitFacts();
    return facts == null ? "" : facts.commit();
  }

  /**
   * The facts that name the job's commit, branch and subject: a running job's start event's (so a
   * running run shows them before it is done), else the stored files'.
   */
  @Nullable JobFacts commitFacts() {
    if (running != null && !running.startMeta().isEmpty()) {
      RunningJob now = running;
      return JobFacts.of(
          new JobMeta(new java.util.LinkedHashMap<>(now.startMeta())),
          java.util.List.of(),
          now::startedEpoch,
          TestSummary.NONE,
          java.util.Map::of);
    }
    return stored;
  }

  /**
   * GitHub's run id for the status API: the stored files' value, else the done event's, else the
   * start event's {@code GITHUB_RUN_ID} (so a running or lost job is in the status API's JSON).
   */
  String statusRunId() {
    if (stored != null && !stored.statusRunId().isEmpty()) {
      return stored.statusRunId();
    }
    if (running == null) {
      return "";
    }
    if (!running.statusRunId().isEmpty()) {
      return running.statusRunId();
    }
    return running.startMeta().getOrDefault(JobMeta.GITHUB_RUN_ID, "");
  }

  JobEntry withTaskStartedEntry(String task, java.time.Instant at) {
    return new JobEntry(name, stored, requireRunning().withTaskStarted(task, at.getEpochSecond()));
  }

  JobEntry withTaskFinishedEntry(io.soilci.result.TaskRow row) {
    return new JobEntry(name, stored, requireRunning().withTaskFinished(row));
  }

  JobEntry withDoneEntry(int status, String statusRunId, String note) {
    return new JobEntry(name, stored, requireRunning().withDone(status, statusRunId, note));
  }

  private RunningJob requireRunning() {
    if (running == null) {
      throw new IllegalStateException("job " + name + " is not running");
    }
    return running;
  }
}
