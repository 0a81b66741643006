package io.soilci.worker.publish;

import io.soilci.result.BadInput;
import io.soilci.result.JobMeta;
import io.soilci.result.JobRef;
import io.soilci.result.SiteLayout;
import io.soilci.result.TaskName;
import io.soilci.result.TaskRow;
import io.soilci.worker.run.GitFacts;
import io.soilci.worker.run.JobListener;
import io.soilci.worker.run.StopSignal;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * {@code run-job --server}'s link to the server: live events while the job runs, then the three
 * files published and the done event. The token stays in this (host) process; nothing of it is
 * passed to the job's container.
 */
public final class LiveJob {
  private static final Duration EVENT_TIMEOUT = Duration.ofSeconds(5);

  private final SoilServer server;
  private final JobRef job;
  private final RetryPolicy retry;
  private final boolean updateStatusApi;
  private final TokenRefusal refusal;
  private final LiveEvents events;
  private final PrintWriter stdout;

  LiveJob(
      SoilServer server,
      JobRef job,
      RetryPolicy retry,
      boolean updateStatusApi,
      PrintWriter stdout) {
    this.server = server;
    this.stdout = stdout;
    this.job = job;
    this.retry = retry;
    this.updateStatusApi = updateStatusApi;
    this.refusal = new TokenRefusal(server.warnings());
    this.events = new LiveEvents(server, job, EVENT_TIMEOUT, refusal);
  }

  /**
   * Events plus the running task's log, read from {@code checkout}'s {@code _tmp/soil/logs/} and
   * sent once a second; never throws. A refusal of the token by either ends both, said once. The
   * start event carries the checked-out commit (the job run's one answer of git, which {@code
   * JOB.json} records too) and the CI host's branch and pull request variables from {@code
   * workerEnv}, so the run page shows them before the job is done.
   */
  public JobListener listener(Path checkout, Map<String, String> workerEnv) {
    LogStream logs = new LogStream(server, job, checkout, Duration.ofSeconds(1), refusal);
    return new JobListener() {
      @Override
      public void jobStarted(GitFacts commit) {
        events.jobStarted(startFacts(commit.get(), workerEnv), updateStatusApi);
      }

      @Override
      public void taskStarted(TaskName task) {
        events.taskStarted(task);
        logs.taskStarted(task);
      }

      @Override
      public void taskFinished(TaskRow row) {
        logs.taskFinished(row);
        events.taskFinished(row);
      }
    };
  }

  /** JOB.json's commit keys and the host variables that name the branch, the PR and the CI job. */
  private static Map<String, String> startFacts(
      Map<String, String> commit, Map<String, String> workerEnv) {
    Map<String, String> facts = new LinkedHashMap<>(commit);
    for (String key : JobMeta.START_EVENT_ENV) {
      String value = workerEnv.get(key);
      if (value != null && !value.isEmpty()) {
        facts.put(key, value);
      }
    }
    return facts;
  }

  /**
   * Before the job runs: asks the server whether the token may publish it ({@code POST
   * /credentials}, no side effect) and throws {@link BadInput} when the server refuses it (401,
   * 403), naming {@code tokenSource} and how to get a token that works. Only such an authoritative
   * refusal stops the job: a server that cannot be reached (the live events tolerate that) or that
   * does not know the check (an older one) lets it run.
   */
  void requireAcceptedToken(String tokenSource) {
    Answer answer = server.checkCredentials(job.host(), updateStatusApi, EVENT_TIMEOUT);
    if (answer.status() != 401 && answer.status() != 403) {
      return;
    }
    String scopes = job.host().prefix() + (updateStatusApi ? "," + SiteLayout.STATUS_API : "");
    throw new BadInput(
        "server "
            + server.base()
            + " refused the worker token from "
            + tokenSource
            + " ("
            + answer.describe()
            + "), so the job was not run and nothing was published: give "
            + tokenSource
            + " the NAME:SECRET that 'soil-server add-worker NAME --scopes "
            + scopes
            + "' printed (a removed or replaced token stops working)");
  }

  public JobRef job() {
    return job;
  }

  /** The job on its run page: {@code SERVER/PREFIX/RUN/index.html#job-JOB}. */
  public URI page() {
    return server
        .base()
        .resolve(SiteLayout.runHtml(job.host(), job.run()) + "#job-" + job.job().value());
  }

  /**
   * Uploads the packaged job from {@code out} (with retries), then sends the done event with {@code
   * status} ({@code cancelled=SIGNAL} for a cancelled job). Throws {@code WorkerFailure} when the
   * upload fails for good.
   */
  public void publish(Path out, int status, Optional<StopSignal> cancelled) {
    server.publish(job, new JobFiles(out, job.job()), retry);
    stdout.println("published " + job + " to " + server.base() + job.runDir() + "/");
    server.send(
        cancelled
            .map(s -> Event.cancelled(job, status, updateStatusApi, s.signalName()))
            .orElseGet(() -> Event.done(job, status, updateStatusApi)),
        retry);
  }
}
