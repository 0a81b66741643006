package io.soilci.web;

import io.soilci.result.Durations;
import io.soilci.result.ExitStatus;
import io.soilci.result.JobName;
import io.soilci.result.JobSummary;
import io.soilci.result.TaskRow;
import io.soilci.result.WwzPath;
import java.util.List;

/**
 * The {@code index.html} at the root of a job's wwz: its task table with log and result links.
 * Written in plain Java, not with a template: the worker renders it once per job, and loading and
 * starting the template engine was a quarter of a one-task job's run (docs/BENCHMARKS.md, "Worker
 * start-up"). Every value is HTML-escaped as the templates escape ({@link Html#escape(String)}).
 */
public final class WwzIndexPage {
  private static final String HEAD =
"""
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>%JOB%.wwz</title>
<style>
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 1.5rem; color: #1f2328; }
h1 { font-size: 1.4rem; margin: 0 0 .3rem; }
.pass { color: #1a7f37; } .fail { color: #cf222e; }
table { border-collapse: collapse; margin-top: 1rem; }
th, td { text-align: left; padding: .3rem .8rem; border-bottom: 1px solid #d0d7de; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.failed td { background: #ffebe9; }
nav a { margin-right: 1rem; }
</style>
</head>
<body>
""";

  private WwzIndexPage() {}

  public static String render(JobName job, List<TaskRow> tasks) {
    JobSummary summary = new JobSummary(job, tasks);
    String name = Html.escape(job.value());
    StringBuilder html = new StringBuilder(4096 + 400 * tasks.size());
    html.append(HEAD.replace("%JOB%", name));
    html.append("<h1>").append(name).append("</h1>\n");
    html.append("<p class=\"")
        .append(summary.passed() ? "pass" : "fail")
        .append("\">")
        .append(summary.passed() ? "passed" : Html.escape("failed: " + summary.statusText()))
        .append(" &middot; ")
        .append(Html.escape(summary.elapsedText()))
        .append("</p>\n");
    html.append("<nav><a href=\"")
        .append(Html.escape(WwzPath.INDEX_TSV))
        .append("\">INDEX.tsv</a><a href=\"../")
        .append(name)
        .append(".json\">")
        .append(name)
        .append(".json</a><a href=\"../")
        .append(name)
        .append(".tsv\">")
        .append(name)
        .append(".tsv</a></nav>\n");
    html.append("<table>\n")
        .append("<thead><tr><th>task</th><th>status</th><th>elapsed</th><th>log</th>")
        .append("<th>result</th></tr></thead>\n")
        .append("<tbody>\n");
    for (TaskRow t : tasks) {
      boolean passed = t.status() == 0;
      String why = t.passed() ? "" : ExitStatus.explain(t.status(), t.elapsedSeconds());
      String log = Html.escape(t.logPath());
      html.append("<tr class=\"")
          .append(passed ? "passed" : "failed")
          .append("\"><td>")
          .append(Html.escape(t.name().value()))
          .append("</td><td class=\"num ")
          .append(passed ? "pass" : "fail")
          .append("\">")
          .append(t.status())
          .append(why.isEmpty() ? "" : " (" + Html.escape(why) + ")")
          .append("</td><td class=\"num\">")
          .append(Html.escape(Durations.readable(t.elapsedSeconds())))
          .append("</td><td><a href=\"")
          .append(log)
          .append("?view\">log</a> <a href=\"")
          .append(log)
          .append("\">raw</a></td><td>")
          .append(
              t.resultPath().map(r -> "<a href=\"" + Html.escape(r) + "\">result</a>").orElse("-"))
          .append("</td></tr>\n");
    }
    html.append("</tbody>\n</table>\n</body>\n</html>\n");
    return html.toString();
  }
}
