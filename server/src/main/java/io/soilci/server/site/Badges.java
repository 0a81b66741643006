package io.soilci.server.site;

import io.soilci.result.JobName;
import io.soilci.result.WorkerHost;
import io.soilci.web.Html;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Status badges (small SVGs for READMEs): a branch's newest run and a job's newest result, under
 * {@code HOST/badges/branch/BRANCH.svg} and {@code HOST/badges/job/JOB.svg}. Only the newest
 * {@value #SCAN_RUNS} runs are looked at, so a badge costs the same with any history.
 */
final class Badges {
  static final int SCAN_RUNS = 1000;
  private static final Pattern UNSAFE = Pattern.compile("[^A-Za-z0-9._-]");

  private final SiteIndex index;

  Badges(SiteIndex index) {
    this.index = index;
  }

  /** A branch's badge file name: unsafe characters become '-' ("feature/x" → "feature-x"). */
  static String fileName(String branch) {
    String name = UNSAFE.matcher(branch).replaceAll("-");
    name = name.length() > 100 ? name.substring(0, 100) : name;
    return name.startsWith(".") ? "-" + name.substring(1) : name;
  }

  /** The run's branch: GitHub's ref name, else the PR's head ref; empty when unknown. */
  static String branch(RunState run) {
    for (JobEntry job : run.jobs().values()) {
      JobFacts facts = job.stored();
      if (facts != null) {
        return facts.branch().isEmpty() ? facts.pullRequest() : facts.branch();
      }
    }
    return "";
  }

  /** The run's pushed branch (not a PR's); empty when none. */
  static String pushedBranch(RunState run) {
    for (JobEntry job : run.jobs().values()) {
      JobFacts facts = job.stored();
      if (facts != null) {
        return facts.branch();
      }
    }
    return "";
  }

  byte @Nullable [] branch(WorkerHost host, String file) {
    for (RunState run : index.newest(host, SCAN_RUNS)) {
      String branch = pushedBranch(run);
      if (!branch.isEmpty() && fileName(branch).equals(file)) {
        return svg(branch, state(run));
      }
    }
    return null;
  }

  byte @Nullable [] job(WorkerHost host, JobName name) {
    for (RunState run : index.newest(host, SCAN_RUNS)) {
      JobEntry job = run.jobs().get(name.value());
      if (job != null) {
        return svg(name.value(), job.state());
      }
    }
    return null;
  }

  private static String state(RunState run) {
    if (run.inProgress()) {
      return "running";
    }
    boolean failed = run.jobs().values().stream().anyMatch(j -> j.state().equals("fail"));
    return failed ? "fail" : "pass";
  }

  /** A flat two-part badge; the label is escaped XML text. */
  static byte[] svg(String label, String state) {
    String message =
        switch (state) {
          case "pass" -> "passing";
          case "fail" -> "failing";
          default -> "running";
        };
    String color =
        switch (state) {
          case "pass" -> "#1a7f37";
          case "fail" -> "#cf222e";
          default -> "#9a6700";
        };
    int left = 10 + 7 * label.length();
    int right = 10 + 7 * message.length();
    String text = escape(label);
    String svg =
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"20\" role=\"img\" aria-label=\"%s: %s\">\n<title>%s: %s</title>\n<rect width=\"%d\" height=\"20\" fill=\"#555\"/><rect x=\"%d\" width=\"%d\" height=\"20\" fill=\"%s\"/>\n<g fill=\"#fff\" font-family=\"Verdana,DejaVu Sans,sans-serif\" font-size=\"11\" text-anchor=\"middle\"><text x=\"%d\" y=\"14\">%s</text><text x=\"%d\" y=\"14\">%s</text></g>\n</svg>\n"
            .formatted(
                left + right,
                text,
                message,
                text,
                message,
                left,
                left,
                right,
                color,
                left / 2,
                text,
                left + right / 2,
                message);
    return svg.getBytes(StandardCharsets.UTF_8);
  }

  /** {@code text} escaped for the SVG (XML), each control character a space (XML has none). */
  static String escape(String text) {
    char[] chars = text.toCharArray();
    for (int i = 0; i < chars.length; i++) {
      if (chars[i] < 0x20) {
        chars[i] = ' ';
      }
    }
    return Html.escape(new String(chars));
  }
}
