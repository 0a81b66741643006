package io.soilci.worker.run;

import io.soilci.result.BadInput;
import io.soilci.result.JobName;
import io.soilci.result.WorkerHost;
import io.soilci.worker.provider.Provider;
import io.soilci.worker.provider.Providers;
import io.soilci.worker.provider.TaskEnvironment;
import io.soilci.worker.testreport.ReportGlobs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * Makes {@link JobSettings} from {@link RunJobOptions}, checking every option and throwing {@link
 * BadInput} with the first problem. It reads the task list (and runs {@code --tasks-from}) but
 * changes neither the options nor anything on disk; a workspace's part is merged in, not written
 * into the options.
 */
public final class JobSettingsFactory {
  private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");

  private JobSettingsFactory() {}

  /** The settings of a job run in {@code --checkout} with {@code env} as the worker's. */
  public static JobSettings settings(RunJobOptions options, Map<String, String> env) {
    return settings(options, env, Optional.empty());
  }

  /** The settings of a job run in {@code workspace}'s instance. */
  public static JobSettings settings(RunJobOptions options, WorkspaceJob workspace) {
    return settings(options, workspace.workerEnv(), Optional.of(workspace));
  }

  /** Refuses the options a workspace gives itself, before the workspace is opened. */
  public static void requireFitsWorkspace(RunJobOptions options) {
    if (options.image != null || !options.checkout.equals(Path.of("."))) {
      throw new BadInput(
          "--workspace gives the checkout and the image; drop --checkout and --image");
    }
    new JobName(options.job);
  }

  private static JobSettings settings(
      RunJobOptions options, Map<String, String> env, Optional<WorkspaceJob> workspace) {
    JobName name = new JobName(options.job);
    List<String> envNames = envNames(options, workspace);
    @Nullable String image = workspace.isPresent() ? workspace.get().image() : options.image;
    Provider provider = provider(options, image, workspace);
    long cap = ByteSize.parse("--log-cap", options.logCap);
    long results = ByteSize.parse("--max-results", options.maxResults);
    Optional<WorkerHost> host = host(options.workerHost, env);
    Path checkout = realFolder(workspace.map(WorkspaceJob::checkout).orElse(options.checkout));
    Path out = out(options.out, workspace, checkout);
    List<TaskLine> tasks = tasks(options, checkout, TaskEnvironment.local(env, envNames));
    TaskTimeouts timeouts = TaskTimeouts.parse(options.timeouts, tasks);
    ReportGlobs reports =
        ReportGlobs.parse(
            options.testReports,
            tasks.stream().map(t -> t.name().value()).collect(Collectors.toSet()));
    return new JobSettings(
        name,
        tasks,
        timeouts,
        new JobSettings.Placement(provider, image, envNames, checkout, env),
        new JobSettings.Output(out, cap, results, options.zipLevel),
        host,
        reports,
        options.parallel);
  }

  /** {@code --env} names, then the workspace's variables; each must be a variable's name. */
  private static List<String> envNames(RunJobOptions options, Optional<WorkspaceJob> workspace) {
    List<String> names = new ArrayList<>(options.envNames);
    workspace.ifPresent(w -> names.addAll(w.env().keySet()));
    names.forEach(JobSettingsFactory::requireEnvName);
    return names;
  }

  private static Provider provider(
      RunJobOptions options, @Nullable String image, Optional<WorkspaceJob> workspace) {
    @Nullable String mountPoint = workspace.map(WorkspaceJob::mountPoint).orElse(null);
    Provider chosen = Providers.named(options.provider, image, options.containerCli, mountPoint);
    return workspace.isPresent() ? workspace.get().withFacts().apply(chosen) : chosen;
  }

  private static Path out(@Nullable Path given, Optional<WorkspaceJob> workspace, Path checkout) {
    @Nullable Path named = given != null || workspace.isEmpty() ? given : WorkspaceJob.DEFAULT_OUT;
    Path dir =
        (named == null ? checkout.resolve("_tmp/soil/out") : named).toAbsolutePath().normalize();
    if (Files.exists(dir) && !Files.isDirectory(dir)) {
      throw new BadInput("--out '" + named + "' is a file; give a folder");
    }
    return dir;
  }

  private static List<TaskLine> tasks(
      RunJobOptions options, Path checkout, Map<String, String> taskEnv) {
    if ((options.tasksFile == null) == (options.tasksFrom == null)) {
      throw new BadInput("give the task list with exactly one of --tasks FILE or --tasks-from CMD");
    }
    if (options.tasksFile != null) {
      return TaskSource.fromFile(options.tasksFile, checkout);
    }
    return TaskSource.fromCommand(String.valueOf(options.tasksFrom), checkout, taskEnv);
  }

  private static Optional<WorkerHost> host(String workerHost, Map<String, String> env) {
    if (workerHost.equals("auto")) {
      return JobMetadata.detectHost(env);
    }
    if (workerHost.equals("none")) {
      return Optional.empty();
    }
    try {
      return Optional.of(WorkerHost.parse(workerHost));
    } catch (BadInput e) {
      throw new BadInput(
          "--worker-host '" + workerHost + "' must be one of auto, github, sourcehut, none", e);
    }
  }

  private static Path realFolder(Path dir) {
    try {
      if (Files.isDirectory(dir)) {
        return dir.toRealPath();
      }
    } catch (IOException e) {
      // Reported below like a missing folder.
    }
    throw new BadInput("--checkout '" + dir + "' is not a folder; give the checkout to run in");
  }

  private static void requireEnvName(String name) {
    if (!ENV_NAME.matcher(name).matches()) {
      throw new BadInput(
          "--env '"
              + name
              + "' must be a variable name (letters, digits, '_'); its value comes from the"
              + " worker's environment");
    }
  }
}
