package io.soilci.worker.publish;

import io.soilci.result.BadInput;
import io.soilci.result.JobMeta;
import io.soilci.result.JobName;
import io.soilci.result.JobRef;
import io.soilci.result.RunId;
import io.soilci.result.WorkerHost;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Option;

/** Which run a job belongs to on the site: {@code --worker-host}, {@code --run-id}, status API. */
public final class JobOptions {
  @Option(
      names = "--worker-host",
      paramLabel = "HOST",
      defaultValue = "github",
      description = "github or sourcehut: the site folder github-jobs/ or sourcehut-jobs/.")
  String workerHost = "github";

  @Option(
      names = "--run-id",
      paramLabel = "RUN",
      description =
          "The run folder: GitHub's run number, sourcehut's job id or git-HASH. Default: from"
              + " the job's JSON (GITHUB_RUN_NUMBER or JOB_ID).")
  @Nullable String runId;

  @Option(
      names = "--update-status-api",
      description = "With the done event, write status-api/github/RUN_ID/JOB.status.txt.")
  boolean updateStatusApi;

  @Option(
      names = "--github-run-id",
      paramLabel = "ID",
      description =
          "GitHub's run id for the status API. Default: GITHUB_RUN_ID from the job's JSON.")
  @Nullable String githubRunId;

  /** The job's place on the site; a missing {@code --run-id} is taken from {@code meta}. */
  public JobRef jobRef(JobName job, @Nullable JobMeta meta) {
    WorkerHost host = WorkerHost.parse(workerHost);
    String run = runId;
    if (run == null && meta != null) {
      String key = host == WorkerHost.GITHUB ? JobMeta.GITHUB_RUN_NUMBER : JobMeta.JOB_ID;
      run = meta.get(key).orElse(null);
    }
    if (run == null) {
      throw new BadInput("--run-id is required (the job's JSON has no run number to use)");
    }
    return new JobRef(host, new RunId(run), job);
  }

  public boolean updateStatusApi() {
    return updateStatusApi;
  }

  /** GitHub's run id, from the flag or else from {@code meta}. */
  public @Nullable String githubRunId(@Nullable JobMeta meta) {
    if (githubRunId != null || meta == null) {
      return githubRunId;
    }
    return meta.get(JobMeta.GITHUB_RUN_ID).orElse(null);
  }

  /** The raw {@code --run-id}, when given. */
  public Optional<String> runId() {
    return Optional.ofNullable(runId);
  }
}
