package io.soilci.worker.run;

import io.soilci.result.BadInput;
import io.soilci.result.JobName;
import io.soilci.result.WorkerHost;
import io.soilci.worker.provider.Provider;
import io.soilci.worker.testreport.ReportGlobs;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Everything a job run needs, checked: {@code run-job}'s options after {@link JobSettingsFactory}.
 *
 * @param placement where and how the tasks run
 * @param output what the job writes and how much of it
 * @param workerHost whose CI variables the job's metadata records; empty for none
 * @param testReports each task's test report globs ({@code --test-reports})
 * @param parallel the most tasks run at once ({@code --parallel}), 1 to {@value #MAX_PARALLEL}
 */
public record JobSettings(
    JobName job,
    List<TaskLine> tasks,
    TaskTimeouts timeouts,
    Placement placement,
    Output output,
    Optional<WorkerHost> workerHost,
    ReportGlobs testReports,
    int parallel) {
  /** The most tasks {@code --parallel} runs at once. */
  public static final int MAX_PARALLEL = 64;

  public JobSettings {
    tasks = List.copyOf(tasks);
    if (parallel < 1 || parallel > MAX_PARALLEL) {
      throw new BadInput(
          "--parallel "
              + parallel
              + " must be 1-"
              + MAX_PARALLEL
              + " (the most tasks run at once in the job's checkout or container)");
    }
  }

  /**
   * Where the tasks run.
   *
   * @param image the container image, or null for the local provider
   * @param envNames the worker's variables passed to tasks as they are
   * @param checkout the absolute, real folder the tasks run in
   * @param workerEnv the worker's environment
   */
  public record Placement(
      Provider provider,
      @Nullable String image,
      List<String> envNames,
      Path checkout,
      Map<String, String> workerEnv) {
    public Placement {
      envNames = List.copyOf(envNames);
      workerEnv = Map.copyOf(workerEnv);
    }
  }

  /**
   * What the job writes.
   *
   * @param dir the folder that receives {@code JOB.wwz}, {@code JOB.tsv}, {@code JOB.json}
   * @param logCap the most bytes kept of each task's log
   * @param maxResultBytes the most bytes of result files packaged
   * @param zipLevel deflate's level for the wwz, 1-9
   */
  public record Output(Path dir, long logCap, long maxResultBytes, int zipLevel) {
    public Output {
      if (zipLevel < 1 || zipLevel > 9) {
        throw new BadInput("--zip-level " + zipLevel + " must be 1-9 (1 fastest, 9 smallest)");
      }
    }
  }
}
