package io.soilci.server.site;

import io.soilci.result.Durations;
import io.soilci.result.JobFile;
import io.soilci.result.WorkerHost;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Turns index state into the plain maps the templates read. Links are relative to the host's folder
 * ({@code base} leads there from the page), so pages work from any mount point.
 */
final class Views {
  /** Failures first, then running jobs, then passes; by name within each. */
  static final Comparator<JobEntry> FAILURES_FIRST =
      Comparator.comparingInt((JobEntry j) -> rank(j.state())).thenComparing(j -> j.name().value());

  private final Optional<String> repositoryUrl;

  Views(Optional<String> repositoryUrl) {
    this.repositoryUrl =
        repositoryUrl
            .map(SiteText::httpUrl)
            .filter(u -> !u.isEmpty())
            .map(u -> u.endsWith("/") ? u.substring(0, u.length() - 1) : u);
  }

  /** The sort rank of a view map's {@code state}. */
  static int rankOf(Map<String, Object> view) {
    return rank(String.valueOf(view.get("state")));
  }

  static int rank(String state) {
    return switch (state) {
      case "fail" -> 0;
      case "running" -> 1;
      default -> 2;
    };
  }

  Map<String, Object> job(RunState run, JobEntry job, String base) {
    Map<String, Object> v = new LinkedHashMap<>();
    JobFacts facts = job.shownFacts();
    String runDir = base + run.id().value() + "/";
    v.put("name", job.name().value());
    v.put("run", run.id().value());
    v.put("state", job.state());
    v.put("statusText", job.statusText());
    v.put("maxStatus", job.maxStatus());
    v.put("elapsed", Durations.minutesSeconds(job.elapsed()));
    v.put("elapsedSeconds", Math.round(job.elapsed()));
    v.put("startEpoch", job.startEpoch());
    v.put("startIso", SiteText.iso(job.startEpoch()));
    v.put("startText", SiteText.shortTime(job.startEpoch()));
    v.put("href", runDir + "index.html#job-" + job.name().value());
    v.put("wwz", facts == null ? "" : runDir + JobFile.WWZ.fileName(job.name()) + "/");
    v.put("jobUrl", facts == null ? "" : SiteText.httpUrl(facts.jobUrl()));
    v.put("pullTime", facts == null ? "" : facts.pullTime());
    v.put("workspace", facts == null ? "" : facts.workspace());
    String agent = facts == null ? "" : facts.agent();
    v.put("agent", agent);
    // The host folder's parent is the site's root, where /coordinator/ is served.
    v.put("agentHref", agent.isEmpty() ? "" : base + "../coordinator/agents.html#agent-" + agent);
    RunningJob running = job.running();
    v.put("currentTask", running == null ? "" : running.currentTask());
    v.put("currentSince", running == null ? 0L : running.currentSince());
    return v;
  }

  /** A group of runs shown as one row: a GitHub run, or the runs of one sourcehut commit. */
  Map<String, Object> group(WorkerHost host, List<RunState> runs, String base) {
    RunState newest = runs.get(0);
    Map<String, Object> v = new LinkedHashMap<>(commit(newest));
    boolean byCommit = host == WorkerHost.SOURCEHUT && !newest.commit().isEmpty();
    v.put("title", byCommit ? "git-" + SiteText.shortHash(newest.commit()) : newest.id().value());
    v.put(
        "href",
        byCommit
            ? base + "commits/" + newest.commit() + ".html"
            : base + newest.id().value() + "/index.html");
    long start = runs.stream().mapToLong(RunState::startEpoch).min().orElse(0);
    v.put("startIso", SiteText.iso(start));
    v.put("startText", SiteText.shortTime(start));
    double wall = runs.stream().mapToDouble(RunState::wallSeconds).max().orElse(0);
    v.put("wall", Durations.readable(wall));
    v.putAll(jobs(runs, base));
    return v;
  }

  /** The jobs of the runs, failures first, with how many failed, run and passed. */
  private Map<String, Object> jobs(List<RunState> runs, String base) {
    List<Map<String, Object>> jobs = new ArrayList<>();
    Map<String, Integer> counts = new LinkedHashMap<>(Map.of("fail", 0, "running", 0, "pass", 0));
    for (RunState run : runs) {
      for (JobEntry job : sorted(run)) {
        jobs.add(job(run, job, base));
        counts.merge(job.state(), 1, Integer::sum);
      }
    }
    jobs.sort(Comparator.comparingInt(Views::rankOf));
    int failed = counts.getOrDefault("fail", 0);
    int running = counts.getOrDefault("running", 0);
    return Map.of(
        "jobs", jobs,
        "failed", failed,
        "running", running,
        "passed", counts.getOrDefault("pass", 0),
        "state", failed > 0 ? "fail" : running > 0 ? "running" : "pass");
  }

  /** The commit facts of a run: hash, link, subject, PR, branch. */
  Map<String, Object> commit(RunState run) {
    JobFacts facts = null;
    for (JobEntry job : run.jobs().values()) {
      facts = job.commitFacts();
      if (facts != null) {
        break;
      }
    }
    Map<String, Object> v = new LinkedHashMap<>();
    String commit = facts == null ? "" : facts.commit();
    v.put("commit", commit);
    v.put("commitShort", SiteText.shortHash(commit));
    v.put("commitUrl", commitUrl(run.commit()));
    v.put("subject", facts == null ? "" : facts.commitLine());
    v.put("pr", facts == null ? "" : facts.pullRequest());
    v.put("branch", facts == null ? "" : facts.branch());
    return v;
  }

  String commitUrl(String commit) {
    return commit.isEmpty() ? "" : repositoryUrl.map(u -> u + "/commit/" + commit).orElse("");
  }

  /** The run's jobs, latest start first, by name within a start. */
  static List<JobEntry> newestFirst(RunState run) {
    List<JobEntry> jobs = new ArrayList<>(run.jobs().values());
    jobs.sort(
        Comparator.comparingLong(JobEntry::startEpoch)
            .reversed()
            .thenComparing(j -> j.name().value()));
    return jobs;
  }

  static List<JobEntry> sorted(RunState run) {
    List<JobEntry> jobs = new ArrayList<>(run.jobs().values());
    jobs.sort(FAILURES_FIRST);
    return jobs;
  }

  /** Groups runs (newest first) into rows: one per run, or per commit on sourcehut. */
  static List<List<RunState>> groups(WorkerHost host, List<RunState> runs, int limit) {
    Map<String, List<RunState>> groups = new LinkedHashMap<>();
    for (RunState run : runs) {
      String key =
          host == WorkerHost.SOURCEHUT && !run.commit().isEmpty()
              ? "git-" + run.commit()
              : "run-" + run.id().value();
      if (!groups.containsKey(key) && groups.size() == limit) {
        break;
      }
      groups.computeIfAbsent(key, k -> new ArrayList<>()).add(run);
    }
    return List.copyOf(groups.values());
  }
}
