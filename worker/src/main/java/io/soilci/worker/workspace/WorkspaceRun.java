package io.soilci.worker.workspace;

import io.soilci.worker.provider.Instance;
import io.soilci.worker.provider.InstanceSpec;
import io.soilci.worker.provider.Provider;
import io.soilci.worker.provider.TaskCommand;
import io.soilci.worker.provider.TaskResult;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * What {@code run-job --workspace FILE} adds to a job: the job's lease on a workspace instance (its
 * folder is the checkout, its image the container's), the environment its tasks get, and a provider
 * that adds the workspace's keys to the job's metadata.
 */
public final class WorkspaceRun {
  private WorkspaceRun() {}

  /**
   * Reads {@code file} and gives {@code job} its own instance, printing progress lines; {@code
   * containerCli} as run-job's {@code --container-cli} (null: the provider's name), {@code env} the
   * worker's environment.
   */
  public static Lease open(
      Path file,
      @Nullable Path root,
      String provider,
      @Nullable String containerCli,
      String job,
      PrintWriter progress,
      Map<String, String> env) {
    WorkspaceConfig config = WorkspaceFile.read(file);
    Path cacheRoot = root != null ? root : Workspaces.defaultRoot(env);
    Lease lease =
        Workspaces.create(cacheRoot, provider, containerCli, env, line -> say(progress, line))
            .open(config, job);
    Preparation done = lease.preparation();
    say(
        progress,
        config.name()
            + " ready in "
            + lease.dir()
            + ": cache "
            + (done.cacheHit() ? "hit" : "miss")
            + " in "
            + Preparation.seconds(done.prepareTime())
            + " s");
    return lease;
  }

  private static void say(PrintWriter progress, String line) {
    progress.println("workspace: " + line);
    progress.flush();
  }

  /** The worker's environment as the job sees it: no git credentials, the workspace's env added. */
  public static Map<String, String> workerEnv(Lease lease, Map<String, String> env) {
    Map<String, String> out = new LinkedHashMap<>(new HostEnvironment(env).forTools());
    out.putAll(lease.env());
    return out;
  }

  /** {@code chosen}, whose instances also report the workspace's keys for the job's metadata. */
  public static Provider provider(Provider chosen, Lease lease) {
    Map<String, String> meta = lease.preparation().jobMeta();
    return new Provider() {
      @Override
      public String name() {
        return chosen.name();
      }

      @Override
      public Instance start(InstanceSpec spec) {
        return withFacts(chosen.start(spec), meta);
      }
    };
  }

  private static Instance withFacts(Instance started, Map<String, String> meta) {
    return new Instance() {
      @Override
      public TaskResult run(TaskCommand task, Duration timeout, OutputStream log) {
        return started.run(task, timeout, log);
      }

      @Override
      public void killRunningTask() {
        started.killRunningTask();
      }

      @Override
      public Map<String, String> facts() {
        Map<String, String> facts = new LinkedHashMap<>(started.facts());
        facts.putAll(meta);
        return facts;
      }

      @Override
      public void close() {
        started.close();
      }
    };
  }
}
