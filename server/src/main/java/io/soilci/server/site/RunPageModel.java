package io.soilci.server.site;

import io.soilci.result.Durations;
import io.soilci.result.ExitStatus;
import io.soilci.result.JobFile;
import io.soilci.result.JobRef;
import io.soilci.result.TaskRow;
import io.soilci.result.WorkerHost;
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
      view.put("tasks", tasks(new JobRef(host, run.id(), job.name()), job));
      jobs.add(view);
    }
    model.put("run", run.id().value());
    model.put("jobs", jobs);
    model.put("startIso", SiteText.iso(run.startEpoch()));
    model.put("startText", SiteText.shortTime(run.startEpoch()));
    model.put("wall", Durations.readable(run.wallSeconds()));
    model.put("startEpoch", run.startEpoch());
    model.put("running", run.inProgress());
    return model;
  }

  /** The job's tasks, failed first, each with its log and result links inside the job's wwz. */
  List<Map<String, Object>> tasks(JobRef ref, JobEntry job) {
    List<Map<String, Object>> tasks = new ArrayList<>();
    RunningJob running = job.running();
    boolean stored = job.shownFacts() != null;
    for (TaskRow row : rows(job)) {
      tasks.add(task(ref, row, stored));
    }
    tasks.sort(Comparator.comparingInt(Views::rankOf));
    if (running != null && !running.currentTask().isEmpty()) {
      Map<String, Object> now = new LinkedHashMap<>();
      now.put("name", running.currentTask());
      now.put("state", "running");
      now.put("status", "");
      now.put("elapsed", "");
      now.put("seconds", "");
      now.put("since", running.currentSince());
      now.put("sinceIso", SiteText.iso(running.currentSince()));
      now.put("sinceText", SiteText.shortTime(running.currentSince()));
      // The server's live tail of the task (GET /live/...): the site root is two folders up.
      now.put("log", "../../live/" + ref + "/" + running.currentTask() + ".txt");
      now.put("result", "");
      tasks.add(0, now);
    }
    return tasks;
  }

  /** The task rows: from the running state, else the stored job's. */
  static List<TaskRow> rows(JobEntry job) {
    RunningJob running = job.running();
    if (running != null) {
      return running.finished();
    }
    return Objects.requireNonNull(job.stored()).tasks();
  }

  private static Map<String, Object> task(JobRef ref, TaskRow row, boolean stored) {
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
    return t;
  }
}
