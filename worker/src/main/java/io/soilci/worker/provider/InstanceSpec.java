package io.soilci.worker.provider;

import io.soilci.result.JobName;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What a provider needs to start a job's instance.
 *
 * @param job the job, for naming the container
 * @param checkout the absolute folder the tasks run in (bind-mounted at the same path)
 * @param workerEnv the worker's own environment, from which tasks get only what {@link
 *     TaskEnvironment} allows
 * @param envNames variables the job names with {@code --env}: passed to tasks as they are
 */
public record InstanceSpec(
    JobName job, Path checkout, Map<String, String> workerEnv, List<String> envNames) {
  public InstanceSpec {
    if (!checkout.isAbsolute()) {
      throw new IllegalArgumentException("checkout must be absolute: " + checkout);
    }
    workerEnv = Map.copyOf(workerEnv);
    envNames = List.copyOf(envNames);
  }

  /** The environment tasks get when they run as local processes. */
  Map<String, String> localTaskEnv() {
    return TaskEnvironment.local(workerEnv, envNames);
  }
}
