package io.soilci.worker.publish;

import io.soilci.result.BadInput;
import io.soilci.result.JobRef;
import io.soilci.result.TaskName;
import io.soilci.result.TaskRow;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * One {@code POST /event}: a job started or is done, or one of its tasks started or finished.
 *
 * @param row the finished task's row, for {@code task-done}
 * @param statusRunId GitHub's run id for the status file; the server otherwise takes the stored
 *     job's {@code GITHUB_RUN_ID}
 * @param more further parameters, in order: a start's commit facts, a done's {@code cancelled}
 */
record Event(
    Name name,
    JobRef job,
    @Nullable TaskName task,
    @Nullable Integer status,
    @Nullable TaskRow row,
    boolean updateStatusApi,
    @Nullable String statusRunId,
    Map<String, String> more) {

  /** The kinds of event, as the server's {@code eventName} parameter spells them. */
  public enum Name {
    START("start"),
    DONE("done"),
    TASK_START("task-start"),
    TASK_DONE("task-done");

    private final String wire;

    Name(String wire) {
      this.wire = wire;
    }

    public String wire() {
      return wire;
    }

    /** Parses {@code start} or {@code done}, the two a person sends by hand. */
    public static Name parseJobEvent(String value) {
      return switch (value.toLowerCase(Locale.ROOT)) {
        case "start" -> START;
        case "done" -> DONE;
        default -> throw new BadInput("--name '" + value + "' must be start or done");
      };
    }
  }

  public Event {
    more = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(more));
    boolean taskEvent = name == Name.TASK_START || name == Name.TASK_DONE;
    if (taskEvent != (task != null)) {
      throw new IllegalArgumentException(name.wire() + " event: task given = " + (task != null));
    }
  }

  public static Event start(JobRef job) {
    return start(job, Map.of());
  }

  /**
   * A start event carrying the checked-out commit's facts, so the run page shows them before the
   * job is done: parameters named as JOB.json's keys ({@code commit-hash}, {@code commit-date},
   * {@code commit-line}, {@code GITHUB_REF}, ...), each only when known.
   */
  public static Event start(JobRef job, Map<String, String> commit) {
    return start(job, commit, false);
  }

  /**
   * As {@link #start(JobRef, Map)}; with {@code updateStatusApi}, the job's status file is to be
   * written when it ends, so the server writes one for a job it declares lost too.
   */
  public static Event start(JobRef job, Map<String, String> commit, boolean updateStatusApi) {
    return new Event(Name.START, job, null, null, null, updateStatusApi, null, commit);
  }

  public static Event done(JobRef job, int status, boolean updateStatusApi) {
    return new Event(Name.DONE, job, null, status, null, updateStatusApi, null, Map.of());
  }

  /** A done event of a job cancelled by {@code signal} ({@code SIGTERM}, {@code SIGINT}). */
  public static Event cancelled(JobRef job, int status, boolean updateStatusApi, String signal) {
    return new Event(
        Name.DONE, job, null, status, null, updateStatusApi, null, Map.of("cancelled", signal));
  }

  /** A done event naming GitHub's run id for the status file (jobs with no stored JSON). */
  public static Event done(JobRef job, int status, @Nullable String statusRunId) {
    return new Event(
        Name.DONE, job, null, status, null, statusRunId != null, statusRunId, Map.of());
  }

  public static Event taskStart(JobRef job, TaskName task) {
    return new Event(Name.TASK_START, job, task, null, null, false, null, Map.of());
  }

  public static Event taskDone(JobRef job, TaskRow row) {
    return new Event(Name.TASK_DONE, job, row.name(), row.status(), row, false, null, Map.of());
  }

  /** The request's query string, without the {@code ?}. */
  public String query() {
    Map<String, String> params = new LinkedHashMap<>();
    params.put("eventName", name.wire());
    params.put("workerHost", job.host().id());
    params.put("runId", job.run().value());
    params.put("jobName", job.job().value());
    Optional.ofNullable(task).ifPresent(t -> params.put("task", t.value()));
    Optional.ofNullable(status).ifPresent(s -> params.put("status", Integer.toString(s)));
    Optional.ofNullable(row).ifPresent(r -> putRow(params, r));
    if (updateStatusApi) {
      params.put("updateStatusApi", "1");
    }
    Optional.ofNullable(statusRunId).ifPresent(id -> params.put("statusRunId", id));
    params.putAll(more);
    return params.entrySet().stream()
        .map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
        .collect(Collectors.joining("&"));
  }

  private static void putRow(Map<String, String> params, TaskRow row) {
    params.put("elapsed", String.format(Locale.ROOT, "%.3f", row.elapsedSeconds()));
    params.put("script", row.scriptName());
    params.put("func", row.func());
    params.put("resultsUrl", row.resultsUrl());
  }

  @Override
  public String toString() {
    return name.wire() + " event for " + job + (task == null ? "" : " task " + task);
  }
}
