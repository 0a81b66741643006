package io.soilci.server.site;

import io.soilci.result.BadInput;
import io.soilci.result.TaskRow;
import io.soilci.result.TaskRows;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A job between its start event and its stored files: the tasks it finished, the tasks it runs now
 * (several with {@code run-job --parallel}), and, once a done event came without files, its status.
 *
 * @param startedEpoch when the start event said the job started (epoch seconds)
 * @param runningTasks the tasks running now, each with when it started (epoch seconds), in the
 *     order they started
 * @param doneStatus the done event's status, or null while running
 * @param statusRunId the status API run id the done event named, or empty
 * @param endNote why the job ended early, shown instead of its status: {@code cancelled by SIGTERM}
 *     (the done event said so) or {@code lost: ...} (the server's lease ran out); else empty
 * @param startMeta the commit facts the start event carried, in JOB.json's keys ({@code job-name},
 *     {@code commit-hash}, {@code commit-line}, {@code GITHUB_REF}, ...); empty when it carried
 *     none
 * @param statusOnEnd the start event said the job writes its status file ({@code
 *     updateStatusApi=1}): a job declared lost gets one too
 */
record RunningJob(
    long startedEpoch,
    List<TaskRow> finished,
    Map<String, Long> runningTasks,
    @Nullable Integer doneStatus,
    String statusRunId,
    String endNote,
    Map<String, String> startMeta,
    boolean statusOnEnd) {

  RunningJob {
    finished = List.copyOf(finished);
    runningTasks = Collections.unmodifiableMap(new LinkedHashMap<>(runningTasks));
    startMeta = Collections.unmodifiableMap(new LinkedHashMap<>(startMeta));
  }

  static RunningJob startedAt(long epoch) {
    return startedAt(epoch, Map.of(), false);
  }

  static RunningJob startedAt(long epoch, Map<String, String> startMeta, boolean statusOnEnd) {
    return new RunningJob(epoch, List.of(), Map.of(), null, "", "", startMeta, statusOnEnd);
  }

  /** The task that started last of those running now, or empty. */
  String currentTask() {
    String last = "";
    for (String task : runningTasks.keySet()) {
      last = task;
    }
    return last;
  }

  /** When {@link #currentTask()} started (epoch seconds), or 0. */
  long currentSince() {
    return runningTasks.getOrDefault(currentTask(), 0L);
  }

  boolean done() {
    return doneStatus != null;
  }

  RunningJob withTaskStarted(String task, long epoch) {
    Map<String, Long> now = new LinkedHashMap<>(runningTasks);
    now.remove(task);
    now.put(task, epoch);
    return new RunningJob(
        startedEpoch, finished, now, doneStatus, statusRunId, endNote, startMeta, statusOnEnd);
  }

  /** Adds or replaces the row for {@code row}'s task, which no longer runs. */
  RunningJob withTaskFinished(TaskRow row) {
    List<TaskRow> rows = new ArrayList<>(finished);
    boolean repeated = rows.removeIf(r -> r.name().equals(row.name()));
    if (!repeated && rows.size() >= TaskRows.MAX_ROWS) {
      // The same cap as an uploaded task table: the run page lists every row.
      throw new BadInput(
          "task '"
              + row.name()
              + "': the job already has "
              + TaskRows.MAX_ROWS
              + " finished tasks, the most a job's task table may hold");
    }
    rows.add(row);
    Map<String, Long> now = new LinkedHashMap<>(runningTasks);
    now.remove(row.name().value());
    return new RunningJob(
        startedEpoch, rows, now, doneStatus, statusRunId, endNote, startMeta, statusOnEnd);
  }

  RunningJob withDone(int status, String runId, String note) {
    return new RunningJob(
        startedEpoch,
        finished,
        Map.of(),
        status,
        runId.isEmpty() ? statusRunId : runId,
        note,
        startMeta,
        statusOnEnd);
  }
}
