package io.soilci.web;

import io.soilci.result.Durations;
import io.soilci.result.ExitStatus;
import io.soilci.result.JobName;
import io.soilci.result.JobSummary;
import io.soilci.result.TaskRow;
import io.soilci.result.WwzPath;
import java.util.List;
import java.util.Map;

/** The {@code index.html} at the root of a job's wwz: its task table with log and result links. */
public final class WwzIndexPage {
  private WwzIndexPage() {}

  public static String render(JobName job, List<TaskRow> tasks) {
    JobSummary summary = new JobSummary(job, tasks);
    List<Map<String, Object>> rows =
        tasks.stream()
            .map(
                t ->
                    Map.<String, Object>of(
                        "name", t.name().value(),
                        "status", t.status(),
                        "why", t.passed() ? "" : ExitStatus.explain(t.status(), t.elapsedSeconds()),
                        "elapsed", Durations.readable(t.elapsedSeconds()),
                        "log", t.logPath(),
                        "result", t.resultPath().orElse("")))
            .toList();
    return Templates.shared()
        .render(
            "wwz-index",
            Map.of(
                "job", job.value(),
                "passed", summary.passed(),
                "statusText", summary.statusText(),
                "elapsed", summary.elapsedText(),
                "indexTsv", WwzPath.INDEX_TSV,
                "tasks", rows));
  }
}
