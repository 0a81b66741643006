package io.soilci.worker.publish;

import io.soilci.result.BadInput;
import io.soilci.result.JobMeta;
import io.soilci.result.JobName;
import io.soilci.result.JobRef;
import io.soilci.result.RunId;
import io.soilci.result.SiteLayout;
import io.soilci.result.WorkerHost;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Option;

/** Which run a job belongs to on the site: {@code --worker-host}, {@code --run-id}, status API. */
final class JobOptions {
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
      description =
          "With the done event, have the server write status-api/github/RUN_ID/JOB.status.txt"
              + " (maybe-merge reads it; RUN_ID is GITHUB_RUN_ID from the job's JSON). Over SSH the"
              + " worker writes it after ingest.")
  boolean updateStatusApi;

  /** The job's place on the site; a missing {@code --run-id} is taken from {@code meta}. */
  public JobRef jobRef(JobName job, @Nullable JobMeta meta) {
    return jobRef(job, meta, Map.of());
  }

  /**
   * The job's place on the site: the run is {@code --run-id}, else the run number in {@code meta},
   * else in the CI's environment ({@code GITHUB_RUN_NUMBER} or sourcehut's {@code JOB_ID}).
   */
  public JobRef jobRef(JobName job, @Nullable JobMeta meta, Map<String, String> env) {
    WorkerHost host = WorkerHost.parse(workerHost);
    String key = host == WorkerHost.GITHUB ? JobMeta.GITHUB_RUN_NUMBER : JobMeta.JOB_ID;
    String run = runId;
    if (run == null && meta != null) {
      run = meta.get(key).orElse(null);
    }
    if (run == null) {
      run = env.get(key);
    }
    if (run == null) {
      throw new BadInput("--run-id is required (no " + key + " in the job's JSON or environment)");
    }
    JobRef ref = new JobRef(host, new RunId(run), job);
    // Before anything is sent: the server refuses a name its pages take.
    SiteLayout.requirePublishable(ref);
    return ref;
  }

  public boolean updateStatusApi() {
    return updateStatusApi;
  }
}
