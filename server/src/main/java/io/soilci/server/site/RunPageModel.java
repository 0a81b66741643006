package io.soilci.server.site;

import io.soilci.result.Durations;
import io.soilci.result.ExitStatus;
import io.soilci.result.JobFile;
import io.soilci.result.JobRef;
import io.soilci.result.SiteLayout;
import io.soilci.result.TaskRow;
import io.soilci.result.TestCounts;
import io.soilci.result.TestResult;
import io.soilci.result.WorkerHost;
import io.soilci.result.WwzPath;
import io.soilci.server.logview.Excerpt;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The run page's model: the run's commit, its jobs (failures first) and every task of every job,
 * all from the index: a stored job's rows as its upload parsed them, a running job's from its
 * state.
 */
final class RunPageModel {
  private final Views views;

  RunPageModel(Views views) {
    this.views = views;
  }

  Map<String, Object> model(WorkerHost host, RunState run) {
    Map<String, Object> model = new LinkedHashMap<>(views.commit(run));
    model.put("c", views.commit(run));
    List<Map<String, Object>> jobs = new ArrayList<>();
    for (JobEntry job : Views.sorted(run)) {
      Map<String, Object> view = views.job(run, job, "../");
      JobRef ref = new JobRef(host, run.id(), job.name());
      view.put("tasks", tasks(ref, job));
      view.put("tests", tests(ref, job));
      jobs.add(view);
    }
    model.put("run", run.id().value());
    model.put("jobs", jobs);
    model.put("startIso", SiteText.iso(run.startEpoch()));
    model.put("startText", SiteText.shortTime(run.startEpoch()));
    model.put("wall", Durations.readable(run.wallSeconds()));
    model.put("startEpoch", run.startEpoch());
    model.put("running", run.inProgress());
    model.put("sinceGreen", run.anyJobFailed() ? SiteLayout.SINCE_GREEN_HTML : "");
    return model;
  }

  /** The job's tasks, failed first, each with its log and result links inside the job's wwz. */
  List<Map<String, Object>> tasks(JobRef ref, JobEntry job) {
    List<Map<String, Object>> tasks = new ArrayList<>();
    RunningJob running = job.running();
    JobFacts facts = job.shownFacts();
    boolean stored = facts != null;
    TestSummary tests = facts == null ? TestSummary.NONE : facts.tests();
    JobFacts done = job.stored();
    Map<String, List<Excerpt.Line>> briefs =
        running == null && done != null ? done.briefs() : Map.of();
    for (TaskRow row : rows(job)) {
      Map<String, Object> task =
          task(ref, row, stored, briefs.getOrDefault(row.name().value(), List.of()));
      TestCounts counts = tests.byTask().get(row.name().value());
      task.put("tests", counts == null ? "" : TestSummary.text(counts));
      tasks.add(task);
    }
    tasks.sort(Comparator.comparingInt(Views::rankOf));
    if (running != null) {
      // The tasks running now, on top: the one started last first.
      for (Map.Entry<String, Long> task : running.runningTasks().entrySet()) {
        Map<String, Object> now = new LinkedHashMap<>();
        now.put("name", task.getKey());
        now.put("state", "running");
        now.put("status", "");
        now.put("elapsed", "");
        now.put("seconds", "");
        now.put("since", task.getValue());
        now.put("sinceIso", SiteText.iso(task.getValue()));
        now.put("sinceText", SiteText.shortTime(task.getValue()));
        // The server's live tail of the task (GET /live/...): the site root is two folders up.
        now.put("log", "../../live/" + ref + "/" + task.getKey() + ".txt");
        now.put("result", "");
        now.put("tests", "");
        now.put("brief", List.of());
        tasks.add(0, now);
      }
    }
    return tasks;
  }

  /**
   * The job's tests for the page: totals, the failing tests first (each with its message excerpt,
   * its report and its task's log inside the wwz), how many more, and a table that could not be
   * read. Empty values for a job without a test table.
   */
  static Map<String, Object> tests(JobRef ref, JobEntry job) {
    JobFacts facts = job.shownFacts();
    TestSummary tests = facts == null ? TestSummary.NONE : facts.tests();
    String wwz = JobFile.WWZ.fileName(ref.job()) + "/";
    Map<String, Object> v = new LinkedHashMap<>();
    v.put("present", tests.present());
    v.put("totals", tests.present() ? TestSummary.text(tests.total()) : "");
    v.put("problem", tests.problem());
    List<Map<String, Object>> failing = new ArrayList<>();
    for (int i = 0; i < tests.failing().size(); i++) {
      TestResult row = tests.failing().get(i);
      Map<String, Object> f = new LinkedHashMap<>();
      f.put("history", tests.failingKeys().get(i).map(TestPages::fromRun).orElse(""));
      f.put("task", row.task().value());
      f.put("suite", row.suite());
      f.put("name", row.name());
      f.put("status", row.status().word());
      f.put("message", row.message());
      f.put("report", wwz + row.report());
      f.put("reportName", row.report());
      f.put("line", row.line());
      f.put("log", wwz + WwzPath.logOf(row.task()) + "?view");
      failing.add(f);
    }
    v.put("failing", failing);
    v.put("more", tests.failingNotKept());
    v.put("table", wwz + SiteLayout.TEST_RESULTS);
    return v;
  }

  /** The task rows: from the running state, else the stored job's. */
  static List<TaskRow> rows(JobEntry job) {
    RunningJob running = job.running();
    if (running != null) {
      return running.finished();
    }
    return Objects.requireNonNull(job.stored()).tasks();
  }

  private static Map<String, Object> task(
      JobRef ref, TaskRow row, boolean stored, List<Excerpt.Line> brief) {
    String wwz = JobFile.WWZ.fileName(ref.job()) + "/";
    Map<String, Object> t = new LinkedHashMap<>();
    t.put("name", row.name().value());
    t.put("state", row.passed() ? "pass" : "fail");
    t.put("status", Integer.toString(row.status()));
    t.put("elapsed", Durations.readable(row.elapsedSeconds()));
    t.put("seconds", Long.toString(Math.round(row.elapsedSeconds())));
    t.put("since", 0L);
    t.put("sinceIso", "");
    t.put("sinceText", "");
    t.put("why", ExitStatus.explain(row.status(), row.elapsedSeconds()));
    t.put("log", stored ? wwz + row.logPath() + "?view" : "");
    t.put("raw", stored ? wwz + row.logPath() : "");
    t.put("result", stored ? row.resultPath().map(p -> wwz + p).orElse("") : "");
    // The first lines of what went wrong, each a link to its line in the log view.
    List<Map<String, Object>> lines = new ArrayList<>();
    for (Excerpt.Line line : stored ? brief : List.<Excerpt.Line>of()) {
      Map<String, Object> l = new LinkedHashMap<>();
      l.put("n", line.number());
      l.put("text", line.text());
      l.put("href", wwz + row.logPath() + "?view&from=" + line.number() + "#L" + line.number());
      lines.add(l);
    }
    t.put("brief", lines);
    return t;
  }
}
