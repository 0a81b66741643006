package io.soilci.worker.run;

import io.soilci.worker.provider.Provider;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;

/**
 * What {@code run-job --workspace} puts in place of options: the instance's folder is the checkout,
 * its image the container's, mounted where the setup saw it; the workspace's variables go to the
 * tasks.
 *
 * @param env the workspace's own variables, passed to every task
 * @param workerEnv the worker's environment as the job sees it (the workspace's variables added)
 * @param withFacts wraps the chosen provider so that its instances report the workspace's facts
 */
public record WorkspaceJob(
    Path checkout,
    @Nullable String image,
    String mountPoint,
    Map<String, String> env,
    Map<String, String> workerEnv,
    UnaryOperator<Provider> withFacts) {
  /** Where the job's files go when {@code --out} is not given: the worker's own folder. */
  static final Path DEFAULT_OUT = Path.of("_tmp/soil/out");

  public WorkspaceJob {
    // In the workspace file's order, as the tasks' variables were before.
    env = Collections.unmodifiableMap(new LinkedHashMap<>(env));
    workerEnv = Map.copyOf(workerEnv);
  }
}
