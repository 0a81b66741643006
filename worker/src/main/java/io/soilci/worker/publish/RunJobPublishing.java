package io.soilci.worker.publish;

import io.soilci.result.BadInput;
import io.soilci.result.JobMeta;
import io.soilci.result.JobName;
import io.soilci.result.JobRef;
import io.soilci.result.RunId;
import io.soilci.result.SiteLayout;
import io.soilci.result.WorkerHost;
import java.io.PrintWriter;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code run-job}'s publishing options: with {@code --server}, live events while the job runs, then
 * the three files and the done event. The token is read here, on the host, before the job starts;
 * it is never handed to the tasks.
 */
public final class RunJobPublishing {
  @Mixin ServerOptions server = new ServerOptions();

  // run-job's own spec: its writers are the ones tests and callers set on the command line.
  @Spec(Spec.Target.MIXEE)
  CommandSpec command = CommandSpec.create();

  @Option(
      names = "--run-id",
      paramLabel = "RUN",
      description =
          "With --server: the run folder. Default: GITHUB_RUN_NUMBER on GitHub, JOB_ID on"
              + " sourcehut.")
  @Nullable String runId;

  @Option(
      names = "--update-status-api",
      description =
          "With --server: the done event also writes status-api/github/GITHUB_RUN_ID/JOB.status.txt"
              + " (maybe-merge reads it).")
  boolean updateStatusApi;

  @Option(
      names = "--github-status",
      description =
          "With --server: post a GitHub commit status per job (context soil/JOB, linking to the"
              + " job's page) with GITHUB_TOKEN from the environment; a failure to post is a"
              + " warning.")
  boolean githubStatus;

  @Option(
      names = "--github-api",
      paramLabel = "URL",
      description =
          "With --github-status: the GitHub API's base URL. Default: $GITHUB_API_URL, else"
              + " https://api.github.com.")
  @Nullable String githubApi;

  /**
   * The link to the server when {@code --server} was given and a token is there. Without a token (a
   * pull request from a fork gets no secrets) the job runs unpublished, said in one line.
   */
  public Optional<LiveJob> connect(
      JobName job, Optional<WorkerHost> host, Map<String, String> env) {
    if (!server.given()) {
      if (githubStatus) {
        throw new BadInput(
            "--github-status needs --server URL (the status links to the job's page)");
      }
      return Optional.empty();
    }
    if (!server.hasToken(env)) {
      command
          .commandLine()
          .getErr()
          .println(
              "soil-worker: no worker token (SOIL_TOKEN is unset or empty, as in a pull request"
                  + " from a fork): the job runs and its results are not published; see"
                  + " docs/PUBLISHING.md, 'Pull requests from forks'");
      return Optional.empty();
    }
    WorkerHost where =
        host.orElseThrow(
            () ->
                new BadInput(
                    "--server needs --worker-host github or sourcehut (auto found neither"
                        + " GITHUB_ACTIONS=true nor sourcehut's JOB_ID)"));
    String key = where == WorkerHost.GITHUB ? JobMeta.GITHUB_RUN_NUMBER : JobMeta.JOB_ID;
    String run = runId != null ? runId : env.get(key);
    if (run == null) {
      throw new BadInput("--server needs --run-id RUN (" + key + " is not set)");
    }
    JobRef ref = new JobRef(where, new RunId(run), job);
    // Before the job runs: the server would refuse its every event and its upload.
    SiteLayout.requirePublishable(ref);
    CommandLine cli = command.commandLine();
    LiveJob live =
        new LiveJob(
            server.connect(env, cli.getErr()), ref, server.retry(), updateStatusApi, cli.getOut());
    // Before the job runs too: a token the server refuses would have it run for nothing.
    live.requireAcceptedToken(server.tokenSource());
    return Optional.of(live);
  }

  /**
   * With {@code --github-status}: the job's commit status, after {@code live} published it (or
   * failed to: {@code published}). {@code env} is the worker's environment, where GITHUB_TOKEN is.
   */
  public void reportToGitHub(LiveJob live, int status, boolean published, Map<String, String> env) {
    if (!githubStatus) {
      return;
    }
    PrintWriter err = command.commandLine().getErr();
    GitHubStatus.from(env, GitHubStatus.api(Optional.ofNullable(githubApi), env), err)
        .ifPresent(github -> github.post(live.job(), live.page(), status, published, err));
  }
}
