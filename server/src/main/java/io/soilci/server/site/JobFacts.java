package io.soilci.server.site;

import io.soilci.result.JobMeta;
import io.soilci.result.JobName;
import io.soilci.result.TaskRow;
import io.soilci.server.logview.Excerpt;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * What the index keeps of a stored (done) job: the few {@code JOB.json} facts pages show, its task
 * rows as the upload parsed them (so rendering a page reads no file) and their totals. Strings are
 * empty when the file lacks the key.
 *
 * @param startEpoch {@code task-run-start-time}, else the JSON file's modification time
 * @param statusRunId {@code GITHUB_RUN_ID}, the status API's folder for this job's run
 * @param cancelled the signal that cancelled the job ({@code job-cancelled}), or empty
 * @param agent the coordinator's agent that ran the job ({@code agent}), or empty
 * @param broken why the stored files could not be read (pages show "broken: why"), or empty
 * @param tests what the index keeps of the job's test table ({@link TestSummary#NONE} without)
 * @param briefs the first lines of what went wrong in each failed task's log ({@link
 *     io.soilci.server.logview.FailureBriefs}), by task name; read from the wwz once, when the job
 *     is stored or loaded
 */
record JobFacts(
    JobName name,
    String commit,
    String commitLine,
    String commitDate,
    String jobUrl,
    String pullTime,
    String workspace,
    String pullRequest,
    String branch,
    String statusRunId,
    String cancelled,
    String agent,
    long startEpoch,
    List<TaskRow> tasks,
    TaskTotals totals,
    String broken,
    TestSummary tests,
    Map<String, List<Excerpt.Line>> briefs) {

  /** Most of a reason is enough on a page; the log has all of it. */
  private static final int MAX_REASON = 300;

  /**
   * A stored job whose files break a rule (copied in by hand, or written by an older version): it
   * is listed as failed with its reason, started when its JSON file was last written.
   */
  static JobFacts broken(JobName name, String reason, long fileEpoch) {
    String shown = reason.length() > MAX_REASON ? reason.substring(0, MAX_REASON) + "..." : reason;
    return new JobFacts(
        name,
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        fileEpoch,
        List.of(),
        TaskTotals.BROKEN,
        shown,
        TestSummary.NONE,
        Map.of());
  }

  boolean isBroken() {
    return !broken.isEmpty();
  }

  JobFacts {
    // Rows from the index snapshot are immutable already and made only when first read.
    tasks = tasks instanceof StoredRows ? tasks : List.copyOf(tasks);
    briefs = Map.copyOf(briefs);
  }

  /**
   * The facts; {@code fallbackEpoch} is asked only when the meta has no start time, {@code briefs}
   * only when a task failed.
   */
  static JobFacts of(
      JobMeta meta,
      List<TaskRow> tasks,
      java.util.function.LongSupplier fallbackEpoch,
      TestSummary tests,
      Supplier<Map<String, List<Excerpt.Line>>> briefs) {
    JobName name = meta.jobName();
    return new JobFacts(
        name,
        shared(meta.commit().orElse("")),
        shared(meta.get(JobMeta.COMMIT_LINE).orElse("")),
        shared(meta.get(JobMeta.COMMIT_DATE).orElse("")),
        shared(meta.get(JobMeta.JOB_URL).orElse("")),
        meta.get(JobMeta.IMAGE_PULL_TIME).map(JobFacts::realSeconds).orElse(""),
        workspace(meta),
        shared(meta.pullRequest().orElse("")),
        shared(meta.branch().orElse("")),
        shared(meta.get(JobMeta.GITHUB_RUN_ID).orElse("")),
        signal(meta),
        shared(meta.get(JobMeta.AGENT).filter(JobFacts::agentName).orElse("")),
        meta.taskRunStartTime().orElseGet(fallbackEpoch::getAsLong),
        tasks,
        TaskTotals.of(name, tasks),
        "",
        tests,
        tasks.stream().allMatch(TaskRow::passed) ? Map.of() : briefs.get());
  }

  /** These facts filed under {@code job}, the name its files have. */
  JobFacts withName(JobName job) {
    return new JobFacts(
        job,
        commit,
        commitLine,
        commitDate,
        jobUrl,
        pullTime,
        workspace,
        pullRequest,
        branch,
        statusRunId,
        cancelled,
        agent,
        startEpoch,
        tasks,
        totals,
        broken,
        tests,
        briefs);
  }

  /** An agent's name as a token's worker name has it; anything else is not shown. */
  private static boolean agentName(String name) {
    return name.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
  }

  /** {@code job-cancelled}: a signal's name, {@code SIGTERM}; anything else is cut to 20 chars. */
  private static String signal(JobMeta meta) {
    return meta.get(JobMeta.JOB_CANCELLED)
        .map(s -> s.length() > 20 ? s.substring(0, 20) : s)
        .map(JobFacts::shared)
        .orElse("");
  }

  /** {@code "hit 0.41 s"} or {@code "miss 12.30 s"} for a job run in a cached workspace. */
  private static String workspace(JobMeta meta) {
    return meta.get(JobMeta.WORKSPACE_CACHE)
        .map(
            cache ->
                cache
                    + meta.get(JobMeta.WORKSPACE_PREPARE_TIME).map(t -> " " + t + " s").orElse(""))
        .map(text -> text.length() > 40 ? text.substring(0, 40) : text)
        .map(JobFacts::shared)
        .orElse("");
  }

  /** The jobs of one run repeat these strings; one copy is enough. */
  private static String shared(String value) {
    return value.length() <= 512 ? value.intern() : value;
  }

  /** {@code time -p} output's {@code real} line ({@code "real 19.99"}) as {@code "19.99 s"}. */
  static String realSeconds(String timeOutput) {
    for (String line : timeOutput.split("\n", -1)) {
      String trimmed = line.trim();
      if (trimmed.startsWith("real ")) {
        return trimmed.substring("real ".length()).trim() + " s";
      }
    }
    return timeOutput.length() > 40 ? timeOutput.substring(0, 40) : timeOutput;
  }
}
