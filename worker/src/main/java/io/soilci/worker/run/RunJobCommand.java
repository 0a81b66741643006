package io.soilci.worker.run;

import io.soilci.result.BadInput;
import io.soilci.result.JobName;
import io.soilci.result.WorkerHost;
import io.soilci.worker.WorkerFailure;
import io.soilci.worker.provider.Provider;
import io.soilci.worker.provider.Providers;
import io.soilci.worker.provider.TaskEnvironment;
import io.soilci.worker.publish.LiveJob;
import io.soilci.worker.publish.RunJobPublishing;
import io.soilci.worker.workspace.Lease;
import io.soilci.worker.workspace.WorkspaceRun;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code run-job JOB}: runs a job's tasks and writes {@code JOB.wwz}, {@code .tsv}, {@code .json}.
 */
@Command(
    name = "run-job",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Runs a job's tasks one by one (a failing task does not stop the job), each with stdin from"
          + " /dev/null, its stdout+stderr in _tmp/soil/logs/TASK.txt and a timeout; prints one"
          + " line per task and a summary; writes OUT/JOB.wwz, OUT/JOB.tsv and OUT/JOB.json.",
      "Exit status: the largest task status (124 = a timeout fired, 255 = the infrastructure"
          + " failed); 2 = bad usage; 1 = the job could not run."
    })
public final class RunJobCommand implements Callable<Integer> {
  private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");

  @Parameters(index = "0", paramLabel = "JOB", description = "The job's name, e.g. cpp-small.")
  private String job = "";

  @Option(
      names = "--tasks",
      paramLabel = "FILE",
      description = "The task list in Soil's format: 'task_name script action result_html' a line.")
  private @Nullable Path tasksFile;

  @Option(
      names = "--tasks-from",
      paramLabel = "CMD",
      description =
          "Run CMD with sh -c in the checkout and read the task list from its output, e.g."
              + " 'soil/worker.sh JOB-dev-minimal'.")
  private @Nullable String tasksFrom;

  @Option(
      names = "--provider",
      defaultValue = "local",
      paramLabel = "NAME",
      description =
          "Where tasks run: local (processes), podman or docker. Default: ${DEFAULT-VALUE}.")
  private String provider = "local";

  @Option(
      names = "--image",
      paramLabel = "IMAGE",
      description = "The container image (podman, docker); pulled when missing.")
  private @Nullable String image;

  @Option(
      names = "--container-cli",
      paramLabel = "PATH",
      description = "The container CLI to run instead of 'podman' or 'docker'.")
  private @Nullable String containerCli;

  @Option(
      names = "--env",
      paramLabel = "NAME",
      description =
          "Pass the worker's variable NAME to tasks (repeatable). A container gets no other;"
              + " local tasks get the worker's environment minus credentials (names with TOKEN,"
              + " SECRET, PASSWORD, PASSWD, CREDENTIAL, PRIVATE_KEY).")
  private List<String> envNames = new ArrayList<>();

  @Option(
      names = "--task-timeout",
      paramLabel = "[TASK=]SECONDS",
      description =
          "Timeout of every task (SECONDS) or of one task (TASK=SECONDS), repeatable. Default:"
              + " 900. A task past it is killed with all its processes and gets status 124.")
  private List<String> timeouts = new ArrayList<>();

  @Option(
      names = "--checkout",
      paramLabel = "DIR",
      description = "The folder tasks run in (a container mounts it at the same path). Default: .")
  private Path checkout = Path.of(".");

  @Option(
      names = "--out",
      paramLabel = "DIR",
      description = "Where JOB.wwz, JOB.tsv, JOB.json go. Default: CHECKOUT/_tmp/soil/out.")
  private @Nullable Path out;

  @Option(
      names = "--log-cap",
      paramLabel = "SIZE",
      defaultValue = "64MiB",
      description =
          "Keep at most SIZE of each task's log; the rest is cut after a marker line (the task"
              + " goes on). Default: ${DEFAULT-VALUE}.")
  private String logCap = "64MiB";

  @Option(
      names = "--max-results",
      paramLabel = "SIZE",
      defaultValue = "1GiB",
      description =
          "At most SIZE of result files (the folders holding the tasks' result pages) go into"
              + " the wwz. Default: ${DEFAULT-VALUE}.")
  private String maxResults = "1GiB";

  @Option(
      names = "--zip-level",
      paramLabel = "N",
      defaultValue = "5",
      description =
          "Deflate level of the wwz, 1 (fastest) to 9 (smallest). Default: ${DEFAULT-VALUE}"
              + " (Soil's zip used 6: ~5%% smaller, ~1.5x slower on logs).")
  private int zipLevel = WwzWriter.DEFAULT_LEVEL;

  @Option(
      names = "--worker-host",
      paramLabel = "HOST",
      defaultValue = "auto",
      description =
          "Whose CI variables JOB.json records: github, sourcehut, none, or auto (github when"
              + " GITHUB_ACTIONS=true, sourcehut when JOB_ID and JOB_URL are set). Default:"
              + " ${DEFAULT-VALUE}.")
  private String workerHost = "auto";

  @Mixin private RunJobPublishing publishing = new RunJobPublishing();

  @Option(
      names = "--workspace",
      paramLabel = "FILE",
      description =
          "Run in a cached workspace this JSON file describes (docs/WORKSPACES.md): its"
              + " repositories cloned with the host's credentials and its setup run once; the job"
              + " gets its own instance, reset afterwards. Gives the checkout and the image (drop"
              + " --checkout, --image); --out defaults to ./_tmp/soil/out.")
  private @Nullable Path workspace;

  @Option(
      names = "--workspace-root",
      paramLabel = "DIR",
      description =
          "Where workspaces are cached. Default: $XDG_CACHE_HOME/soil/workspaces or"
              + " ~/.cache/soil/workspaces.")
  private @Nullable Path workspaceRoot;

  /** The job's workspace instance while a {@code --workspace} job runs. */
  private @Nullable Lease lease;

  @Spec private CommandSpec spec = CommandSpec.create();

  private final Function<JobName, JobListener> listeners;
  private final Map<String, String> environment;

  /** A command whose jobs report progress to nobody but stdout. */
  public RunJobCommand() {
    this(job -> JobListener.NONE);
  }

  /** A command whose jobs also report to the listener {@code listeners} makes for the job. */
  public RunJobCommand(Function<JobName, JobListener> listeners) {
    this(listeners, System.getenv());
  }

  /** For tests: {@code environment} stands for the worker's environment. */
  RunJobCommand(Function<JobName, JobListener> listeners, Map<String, String> environment) {
    this.listeners = listeners;
    this.environment = Map.copyOf(environment);
  }

  @Override
  public Integer call() throws IOException {
    if (workspace != null) {
      return runInWorkspace(workspace);
    }
    return run(settings(environment));
  }

  private int run(JobSettings settings) throws IOException {
    Optional<LiveJob> live =
        publishing.connect(settings.job(), settings.workerHost(), settings.workerEnv());
    JobListener listener =
        live.<JobListener>map(l -> l.listener(settings.checkout())).orElse(JobListener.NONE);
    CommandLine cli = spec.commandLine();
    int status =
        new JobRun(
                settings,
                JobListener.both(listeners.apply(settings.job()), listener),
                cli.getOut(),
                cli.getErr())
            .run();
    return live.isEmpty() ? status : published(live.get(), settings, status, cli);
  }

  /** Publishes the finished job; a failed upload makes a passed job fail (exit 1). */
  private static int published(LiveJob live, JobSettings settings, int status, CommandLine cli) {
    try {
      live.publish(settings.out(), status);
      return status;
    } catch (WorkerFailure e) {
      cli.getErr().println("soil-worker: " + e.getMessage());
      return status == 0 ? 1 : status;
    }
  }

  /** The workspace's instance is the checkout, its image the container's; reset after the job. */
  private int runInWorkspace(Path file) throws IOException {
    if (image != null || !checkout.equals(Path.of("."))) {
      throw new BadInput(
          "--workspace gives the checkout and the image; drop --checkout and --image");
    }
    new JobName(job);
    try (Lease held =
        WorkspaceRun.open(
            file, workspaceRoot, provider, containerCli, job, spec.commandLine().getErr())) {
      lease = held;
      checkout = held.dir();
      image = held.image();
      out = out != null ? out : Path.of("_tmp/soil/out");
      envNames.addAll(held.env().keySet());
      return run(settings(WorkspaceRun.workerEnv(held, environment)));
    }
  }

  /** Checks every option; throws {@link BadInput} with the first problem. */
  JobSettings settings(Map<String, String> env) {
    JobName name = new JobName(job);
    envNames.forEach(RunJobCommand::requireEnvName);
    Provider chosen =
        Providers.named(provider, image, containerCli, lease == null ? null : lease.mountPoint());
    if (lease != null) {
      chosen = WorkspaceRun.provider(chosen, lease);
    }
    long cap = ByteSize.parse("--log-cap", logCap);
    long results = ByteSize.parse("--max-results", maxResults);
    Optional<WorkerHost> host = host(env);
    Path dir = realFolder(checkout);
    Path outDir = (out == null ? dir.resolve("_tmp/soil/out") : out).toAbsolutePath().normalize();
    if (Files.exists(outDir) && !Files.isDirectory(outDir)) {
      throw new BadInput("--out '" + out + "' is a file; give a folder");
    }
    List<TaskLine> tasks = tasks(dir, env);
    TaskTimeouts taskTimeouts = TaskTimeouts.parse(timeouts, tasks);
    return new JobSettings(
        name,
        tasks,
        taskTimeouts,
        chosen,
        image,
        envNames,
        dir,
        outDir,
        cap,
        results,
        zipLevel,
        host,
        env);
  }

  private List<TaskLine> tasks(Path dir, Map<String, String> env) {
    if ((tasksFile == null) == (tasksFrom == null)) {
      throw new BadInput("give the task list with exactly one of --tasks FILE or --tasks-from CMD");
    }
    if (tasksFile != null) {
      return TaskSource.fromFile(tasksFile);
    }
    return TaskSource.fromCommand(
        String.valueOf(tasksFrom), dir, TaskEnvironment.local(env, envNames));
  }

  private Optional<WorkerHost> host(Map<String, String> env) {
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
