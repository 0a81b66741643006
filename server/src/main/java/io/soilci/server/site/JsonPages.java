package io.soilci.server.site;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.soilci.result.SiteLayout;
import io.soilci.result.TaskRow;
import io.soilci.result.TestCounts;
import io.soilci.result.TestResult;
import io.soilci.result.WorkerHost;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The JSON mirrors of the pages, for machines: host index, run, and the status API summary. */
final class JsonPages {
  static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private static final ObjectMapper COMPACT = new ObjectMapper();

  private final SiteIndex index;
  private final Fragments fragments;

  JsonPages(SiteIndex index, Fragments fragments) {
    this.index = index;
    this.fragments = fragments;
  }

  /** The newest runs, compact: each run's JSON is made once per version of the run. */
  byte[] host(WorkerHost host, List<RunState> newest) {
    StringBuilder out = new StringBuilder();
    out.append("{\"host\":\"").append(host.id()).append("\",\"runCount\":");
    out.append(index.runCount(host)).append(",\"runs\":[");
    for (int i = 0; i < newest.size(); i++) {
      RunState run = newest.get(i);
      out.append(i == 0 ? "\n" : ",\n");
      out.append(
          fragments.<String>get(
              "json|" + host + "|" + run.id(), List.of(run), () -> compact(runSummary(run))));
    }
    out.append("]}\n");
    return out.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }

  private static String compact(Object value) {
    try {
      return COMPACT.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("maps of strings and numbers always serialize", e);
    }
  }

  byte[] run(WorkerHost host, RunState run, RunPageModel model) {
    Map<String, Object> out = runSummary(run);
    List<Object> jobs = new ArrayList<>();
    for (JobEntry job : run.jobs().values()) {
      Map<String, Object> j = job(job);
      JobFacts facts = job.shownFacts();
      TestSummary tests = facts == null ? TestSummary.NONE : facts.tests();
      List<Object> tasks = new ArrayList<>();
      for (TaskRow row : RunPageModel.rows(job)) {
        Map<String, Object> t = task(row);
        TestCounts counts = tests.byTask().get(row.name().value());
        if (counts != null) {
          t.put("tests", counts(counts));
        }
        tasks.add(t);
      }
      j.put("tasks", tasks);
      if (tests.present()) {
        j.put("tests", tests(host, tests));
      }
      jobs.add(j);
    }
    out.put("host", host.id());
    out.put("jobs", jobs);
    out.put("sinceGreen", run.anyJobFailed() ? SiteLayout.SINCE_GREEN_JSON : null);
    return write(out);
  }

  /** Every job of the runs with one GitHub run id: what maybe-merge and people poll. */
  byte[] status(WorkerHost host, String statusRunId, List<RunState> runs) {
    List<Object> jobs = new ArrayList<>();
    boolean running = false;
    int maxStatus = 0;
    for (RunState run : runs) {
      for (JobEntry job : run.jobs().values()) {
        Map<String, Object> j = job(job);
        j.put("run", run.id().value());
        jobs.add(j);
        running |= job.inProgress();
        maxStatus = Math.max(maxStatus, job.inProgress() ? 0 : job.maxStatus());
      }
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("host", host.id());
    out.put("statusRunId", statusRunId);
    out.put("state", running ? "running" : maxStatus == 0 ? "pass" : "fail");
    out.put("maxStatus", maxStatus);
    out.put("jobs", jobs);
    return write(out);
  }

  private static Map<String, Object> runSummary(RunState run) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("run", run.id().value());
    out.put("commit", run.commit());
    out.put("branch", Badges.branch(run));
    out.put("start", SiteText.iso(run.startEpoch()));
    out.put("running", run.inProgress());
    List<Object> jobs = new ArrayList<>();
    for (JobEntry job : run.jobs().values()) {
      jobs.add(job(job));
    }
    out.put("jobs", jobs);
    return out;
  }

  private static Map<String, Object> job(JobEntry job) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("job", job.name().value());
    out.put("state", job.state());
    out.put("status", job.inProgress() ? null : job.maxStatus());
    out.put("statusText", job.statusText());
    out.put("start", SiteText.iso(job.startEpoch()));
    out.put("elapsedSeconds", Math.round(job.elapsed() * 1000) / 1000.0);
    return out;
  }

  /** A job's tests: totals, the failing tests the index keeps, how many more, a problem. */
  private static Map<String, Object> tests(WorkerHost host, TestSummary tests) {
    Map<String, Object> out = counts(tests.total());
    List<Object> failing = new ArrayList<>();
    for (int i = 0; i < tests.failing().size(); i++) {
      TestResult row = tests.failing().get(i);
      Map<String, Object> f = new LinkedHashMap<>();
      f.put("task", row.task().value());
      f.put("suite", row.suite());
      f.put("name", row.name());
      f.put("status", row.status().word());
      f.put("seconds", row.time().isPresent() ? row.time().getAsDouble() : null);
      f.put("message", row.message());
      f.put("report", row.report());
      f.put("line", row.line());
      f.put(
          "history", tests.failingKeys().get(i).map(k -> TestPages.jsonPath(host, k)).orElse(null));
      failing.add(f);
    }
    out.put("failing", failing);
    out.put("failingNotShown", tests.failingNotKept());
    out.put("table", SiteLayout.TEST_RESULTS);
    out.put("problem", tests.problem().isEmpty() ? null : tests.problem());
    return out;
  }

  private static Map<String, Object> counts(TestCounts counts) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("passed", counts.passed());
    out.put("failed", counts.failed());
    out.put("errors", counts.errors());
    out.put("skipped", counts.skipped());
    out.put("unreadableReports", counts.unreadable());
    return out;
  }

  private static Map<String, Object> task(TaskRow row) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("task", row.name().value());
    out.put("status", row.status());
    out.put("elapsedSeconds", row.elapsedSeconds());
    out.put("log", row.logPath());
    out.put("result", row.resultPath().orElse(null));
    return out;
  }

  static byte[] write(Object value) {
    try {
      byte[] json = MAPPER.writeValueAsBytes(value);
      byte[] out = java.util.Arrays.copyOf(json, json.length + 1);
      out[json.length] = '\n';
      return out;
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("maps of strings and numbers always serialize", e);
    }
  }
}
