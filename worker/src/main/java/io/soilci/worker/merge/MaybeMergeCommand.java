package io.soilci.worker.merge;

import io.soilci.result.BadInput;
import io.soilci.result.JobName;
import io.soilci.worker.publish.GitHubStatus;
import io.soilci.worker.publish.ServerUri;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code maybe-merge}: fast-forwards a branch to a commit only when all its jobs passed. */
@Command(
    name = "maybe-merge",
    mixinStandardHelpOptions = true,
    description = {
      "Reads the server's status API for a GitHub run, waits until every job in --jobs"
          + " reported (at most --wait seconds), and only when all passed (status 0)"
          + " fast-forwards --branch to --sha.",
      "With GitHub's REST API (GITHUB_TOKEN from the environment, --repo, --github-api) or,"
          + " with --git-remote, by git push from this checkout. Never forces."
    },
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {
      "0:merged: the branch now points at --sha",
      "1:error: status API or GitHub/git unreachable, token refused, not a fast-forward",
      "2:bad usage",
      "3:not green: a job failed, errored or never reported; nothing was changed"
    })
public final class MaybeMergeCommand implements Callable<Integer> {
  /** Exit status when the run is not green and nothing was merged. */
  public static final int NOT_GREEN = 3;

  private static final Pattern SHA = Pattern.compile("[0-9a-f]{40}|[0-9a-f]{64}");
  private static final Pattern BRANCH = Pattern.compile("[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*");
  private static final Pattern REPO = Pattern.compile("[A-Za-z0-9._-]+/[A-Za-z0-9._-]+");

  private final Map<String, String> env;
  @Spec CommandSpec spec = CommandSpec.create();

  @Option(
      names = "--server",
      required = true,
      paramLabel = "URL",
      description = "The Soil server whose status API to read.")
  String server = "";

  @Option(
      names = "--run-id",
      paramLabel = "ID",
      description = "GitHub's run id (GITHUB_RUN_ID). Default: $GITHUB_RUN_ID.")
  @Nullable String runId;

  @Option(
      names = "--jobs",
      required = true,
      split = ",",
      paramLabel = "JOB",
      description = "Every job that must pass, comma-separated.")
  List<String> jobs = List.of();

  @Option(
      names = "--sha",
      required = true,
      paramLabel = "SHA",
      description = "The commit to fast-forward to (full hex).")
  String sha = "";

  @Option(
      names = "--branch",
      defaultValue = "main",
      paramLabel = "NAME",
      description = "The branch to move. Default: ${DEFAULT-VALUE}.")
  String branch = "main";

  @Option(
      names = "--repo",
      paramLabel = "OWNER/REPO",
      description = "GitHub repository. Default: $GITHUB_REPOSITORY.")
  @Nullable String repo;

  @Option(
      names = "--github-api",
      paramLabel = "URL",
      description =
          "GitHub API base (GitHub Enterprise). Default: $GITHUB_API_URL or https://api.github.com.")
  @Nullable String githubApi;

  @Option(
      names = "--github-status",
      description =
          "Post one commit status for the run on --sha (context soil/run, linking the run page):"
              + " success when every job passed, else failure naming the jobs. Needs GITHUB_TOKEN"
              + " (statuses: write) and --repo.")
  boolean githubStatus;

  @Option(
      names = "--git-remote",
      paramLabel = "URL",
      description = "Instead of GitHub's API: git push the fast-forward to this remote.")
  @Nullable String gitRemote;

  @Option(
      names = "--checkout",
      defaultValue = ".",
      paramLabel = "DIR",
      description = "With --git-remote: the checkout to push from. Default: the current folder.")
  Path checkout = Path.of(".");

  @Option(
      names = "--wait",
      defaultValue = "1800",
      paramLabel = "SECONDS",
      description = "Wait at most this long for jobs to report. Default: ${DEFAULT-VALUE}.")
  long waitSeconds;

  @Option(
      names = "--poll",
      defaultValue = "15",
      paramLabel = "SECONDS",
      description = "Seconds between reads of the status API. Default: ${DEFAULT-VALUE}.")
  double pollSeconds;

  public MaybeMergeCommand() {
    this(System.getenv());
  }

  MaybeMergeCommand(Map<String, String> env) {
    this.env = env;
  }

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    BranchUpdate update = validate();
    String run = requireRunId();
    Optional<GitHubStatus> status = githubStatus ? Optional.of(statusPoster()) : Optional.empty();
    StatusApi api = new StatusApi(ServerUri.parse(server), run);
    RunWatch watch =
        new RunWatch(
            api,
            Duration.ofSeconds(waitSeconds),
            Duration.ofMillis((long) (pollSeconds * 1000)),
            out);
    List<JobState> states = watch.await(jobs);
    status.ifPresent(
        github -> {
          RunStatus runStatus = RunStatus.of(states);
          github.post(
              RunStatus.CONTEXT,
              runStatus.state(),
              runStatus.description(),
              api.runPage(),
              spec.commandLine().getErr());
        });
    List<JobState> blocking = states.stream().filter(s -> !s.green()).toList();
    if (!blocking.isEmpty()) {
      out.println(
          "maybe-merge: not merging "
              + sha
              + " into "
              + update.describe(branch)
              + ": "
              + blocking.stream().map(JobState::whyNotGreen).collect(Collectors.joining(", "))
              + neverReportedHint(blocking, api));
      return NOT_GREEN;
    }
    update.fastForward(branch, sha);
    out.println(
        "maybe-merge: all "
            + jobs.size()
            + " jobs passed; "
            + update.describe(branch)
            + " is now "
            + sha);
    return 0;
  }

  /**
   * What to check when a job never reported: with no job of the run reported, first the run id (a
   * wrong one looks exactly like jobs that never publish).
   */
  private String neverReportedHint(List<JobState> blocking, StatusApi api) {
    if (blocking.stream().allMatch(JobState::reported)) {
      return "";
    }
    boolean noneReported =
        blocking.size() == jobs.size() && blocking.stream().noneMatch(JobState::reported);
    return " within "
        + waitSeconds
        + " s ("
        + (noneReported
            ? "no job reported under run id "
                + api.runId()
                + " at "
                + api.runUrl()
                + ": check --run-id (GITHUB_RUN_ID), then "
            : "check ")
        + "the names in --jobs, and that each job publishes with --update-status-api)";
  }

  private BranchUpdate validate() {
    jobs.forEach(JobName::new);
    if (jobs.isEmpty()) {
      throw new BadInput("--jobs must name at least one job");
    }
    if (!SHA.matcher(sha).matches()) {
      throw new BadInput(
          "--sha '" + sha + "' must be a full commit hash: 40 (or 64) lowercase hex digits");
    }
    if (!BRANCH.matcher(branch).matches() || branch.contains("..")) {
      throw new BadInput(
          "--branch '" + branch + "' must be a branch name like main or release/1.2");
    }
    if (waitSeconds < 0 || !(pollSeconds > 0)) {
      throw new BadInput("--wait must be >= 0 and --poll > 0 seconds");
    }
    return gitRemote != null ? new GitRemote(gitRemote, checkout) : gitHub();
  }

  private String requireRunId() {
    String id = runId != null ? runId : env.get("GITHUB_RUN_ID");
    if (id == null || !id.matches("[A-Za-z0-9._-]{1,100}")) {
      throw new BadInput(
          "--run-id "
              + (id == null
                  ? "is required (or set GITHUB_RUN_ID)"
                  : "'" + id + "' must be GitHub's run id, e.g. 6474853823"));
    }
    return id;
  }

  private BranchUpdate gitHub() {
    String token = env.get("GITHUB_TOKEN");
    if (token == null || token.isBlank()) {
      throw new BadInput(
          "GITHUB_TOKEN is not set: export a token with contents: write, or use --git-remote URL");
    }
    return new GitHubRefs(gitHubApi(), repository(), token.strip());
  }

  /** With {@code --github-status}: the run's status poster, checked before any waiting. */
  private GitHubStatus statusPoster() {
    String token = env.get("GITHUB_TOKEN");
    if (token == null || token.isBlank()) {
      throw new BadInput(
          "--github-status needs GITHUB_TOKEN: export a token with statuses: write permission");
    }
    return GitHubStatus.of(gitHubApi(), repository(), sha, token.strip());
  }

  private String repository() {
    String repository = repo != null ? repo : env.getOrDefault("GITHUB_REPOSITORY", "");
    if (!REPO.matcher(repository).matches()) {
      throw new BadInput(
          "--repo '" + repository + "' must be OWNER/REPO (default: $GITHUB_REPOSITORY)");
    }
    return repository;
  }

  private URI gitHubApi() {
    return parseApi(
        githubApi != null
            ? githubApi
            : env.getOrDefault("GITHUB_API_URL", "https://api.github.com"));
  }

  private static URI parseApi(String api) {
    try {
      URI uri = URI.create(api);
      if (uri.getHost() == null) {
        throw new IllegalArgumentException("no host");
      }
      return uri;
    } catch (IllegalArgumentException e) {
      throw new BadInput("--github-api '" + api + "' must be a URL like https://api.github.com");
    }
  }
}
