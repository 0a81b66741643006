package io.soilci.worker.runjob;

import io.soilci.result.JobName;
import io.soilci.worker.WorkerFailure;
import io.soilci.worker.publish.LiveJob;
import io.soilci.worker.publish.RunJobPublishing;
import io.soilci.worker.run.Cancellation;
import io.soilci.worker.run.JobListener;
import io.soilci.worker.run.JobRun;
import io.soilci.worker.run.JobSettings;
import io.soilci.worker.run.JobSettingsFactory;
import io.soilci.worker.run.RunJobOptions;
import io.soilci.worker.run.StopSignal;
import io.soilci.worker.run.WorkspaceJob;
import io.soilci.worker.workspace.Lease;
import io.soilci.worker.workspace.WorkspaceRun;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
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
          + " failed); 2 = bad usage; 1 = the job could not run; 143 / 130 = cancelled by"
          + " SIGTERM / SIGINT (the running task killed, what ran packaged and published)."
    })
public final class RunJobCommand implements Callable<Integer> {
  @Mixin private RunJobOptions options = new RunJobOptions();

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

  @Spec private CommandSpec spec = CommandSpec.create();

  private final Function<JobName, JobListener> listeners;
  private final Map<String, String> environment;
  private final @Nullable Cancellation cancellation;

  /** A command whose jobs report progress to nobody but stdout, in this process's environment. */
  public RunJobCommand() {
    this(job -> JobListener.NONE, System.getenv());
  }

  /**
   * A command whose jobs also report to the listener {@code listeners} makes for the job; {@code
   * environment} stands for the worker's. SIGTERM and SIGINT cancel the job.
   */
  public RunJobCommand(Function<JobName, JobListener> listeners, Map<String, String> environment) {
    this(listeners, environment, null);
  }

  /**
   * As {@link #RunJobCommand(Function, Map)}, for one of several jobs in a process (an agent's):
   * the job is cancelled through {@code cancellation} only; the process's signals are left alone.
   */
  public RunJobCommand(
      Function<JobName, JobListener> listeners,
      Map<String, String> environment,
      @Nullable Cancellation cancellation) {
    this.listeners = listeners;
    this.environment = Map.copyOf(environment);
    this.cancellation = cancellation;
  }

  @Override
  public Integer call() throws IOException {
    if (workspace == null) {
      return run(JobSettingsFactory.settings(options, environment));
    }
    JobSettingsFactory.requireFitsWorkspace(options);
    try (Lease lease =
        WorkspaceRun.open(
            workspace,
            workspaceRoot,
            options.provider(),
            options.containerCli(),
            options.job(),
            spec.commandLine().getErr(),
            environment)) {
      return run(JobSettingsFactory.settings(options, workspaceJob(lease)));
    }
  }

  /** The workspace instance is the checkout, its image the container's; reset after the job. */
  private WorkspaceJob workspaceJob(Lease lease) {
    return new WorkspaceJob(
        lease.dir(),
        lease.image(),
        lease.mountPoint(),
        lease.env(),
        WorkspaceRun.workerEnv(lease, environment),
        chosen -> WorkspaceRun.provider(chosen, lease));
  }

  private int run(JobSettings settings) throws IOException {
    JobSettings.Placement placement = settings.placement();
    Optional<LiveJob> live =
        publishing.connect(settings.job(), settings.workerHost(), placement.workerEnv());
    JobListener listener =
        live.<JobListener>map(l -> l.listener(placement.checkout(), placement.workerEnv()))
            .orElse(JobListener.NONE);
    CommandLine cli = spec.commandLine();
    Cancellation cancellation = this.cancellation != null ? this.cancellation : new Cancellation();
    try (StopSignals signals =
        this.cancellation != null
            ? StopSignals.none()
            : StopSignals.install(cancellation, cli.getErr())) {
      int status =
          new JobRun(
                  settings,
                  JobListener.both(listeners.apply(settings.job()), listener),
                  cli.getOut(),
                  cli.getErr(),
                  cancellation)
              .run();
      return live.isEmpty()
          ? status
          : published(
              live.get(), settings, status, cancellation.signal(), cli, placement.workerEnv());
    }
  }

  /**
   * Publishes the finished job, then (with {@code --github-status}) posts its commit status; a
   * failed upload makes a passed job fail (exit 1).
   */
  private int published(
      LiveJob live,
      JobSettings settings,
      int status,
      Optional<StopSignal> cancelled,
      CommandLine cli,
      Map<String, String> workerEnv) {
    boolean published = true;
    try {
      live.publish(settings.output().dir(), status, cancelled);
    } catch (WorkerFailure e) {
      cli.getErr().println("soil-worker: " + e.getMessage());
      published = false;
    }
    publishing.reportToGitHub(live, status, published, workerEnv);
    return published || status != 0 ? status : 1;
  }
}
