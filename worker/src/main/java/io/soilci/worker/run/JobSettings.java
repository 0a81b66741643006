package io.soilci.worker.run;

import io.soilci.result.BadInput;
import io.soilci.result.JobName;
import io.soilci.result.WorkerHost;
import io.soilci.worker.provider.Provider;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Everything a job run needs, checked: {@code run-job}'s options after parsing.
 *
 * @param checkout the absolute, real folder the tasks run in
 * @param out the folder that receives {@code JOB.wwz}, {@code JOB.tsv}, {@code JOB.json}
 * @param image the container image, or null for the local provider
 * @param zipLevel deflate's level for the wwz, 1-9
 * @param workerEnv the worker's environment
 */
record JobSettings(
    JobName job,
    List<TaskLine> tasks,
    TaskTimeouts timeouts,
    Provider provider,
    @Nullable String image,
    List<String> envNames,
    Path checkout,
    Path out,
    long logCap,
    long maxResultBytes,
    int zipLevel,
    Optional<WorkerHost> workerHost,
    Map<String, String> workerEnv) {
  JobSettings {
    tasks = List.copyOf(tasks);
    envNames = List.copyOf(envNames);
    workerEnv = Map.copyOf(workerEnv);
    if (zipLevel < 1 || zipLevel > 9) {
      throw new BadInput("--zip-level " + zipLevel + " must be 1-9 (1 fastest, 9 smallest)");
    }
  }
}
