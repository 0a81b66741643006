package io.soilci.worker.publish;

import io.soilci.result.BadInput;
import io.soilci.result.JobMeta;
import io.soilci.result.JobName;
import io.soilci.result.JobRef;
import io.soilci.result.RunId;
import io.soilci.result.WorkerHost;
import java.util.Map;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code event}: sends a job's start or done event by hand, for jobs run by a shell script. */
@Command(
    name = "event",
    mixinStandardHelpOptions = true,
    description = "Tells the server that a job started or is done (for jobs not run by run-job).",
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {"0:sent", "1:failed: server unreachable or token refused", "2:bad usage"})
public final class EventCommand implements Callable<Integer> {
  @Mixin ServerOptions server = new ServerOptions();
  @Spec CommandSpec spec = CommandSpec.create();

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
          "The run folder: GitHub's run number, sourcehut's job id or git-HASH. Default:"
              + " $GITHUB_RUN_NUMBER (github) or $JOB_ID (sourcehut).")
  @Nullable String runId;

  @Option(
      names = "--update-status-api",
      description =
          "With --name done: have the server write status-api/github/RUN_ID/JOB.status.txt,"
              + " which maybe-merge reads (RUN_ID: see --status-run-id).")
  boolean updateStatusApi;

  @Option(
      names = "--name",
      required = true,
      paramLabel = "start|done",
      description = "Which event.")
  String name = "";

  @Option(names = "--job", required = true, paramLabel = "JOB", description = "The job's name.")
  String job = "";

  @Option(
      names = "--status",
      paramLabel = "N",
      description = "The job's status (largest task exit status); required with --name done.")
  @Nullable Integer status;

  @Option(
      names = "--status-run-id",
      paramLabel = "ID",
      description =
          "With --update-status-api: GitHub's run id for the status file. Default:"
              + " $GITHUB_RUN_ID, else the server takes it from the job's stored JSON.")
  @Nullable String statusRunId;

  private final Map<String, String> environment;

  /** The command in this process's environment. */
  public EventCommand() {
    this(System.getenv());
  }

  /** The command with {@code environment} standing for the worker's (tests give theirs). */
  public EventCommand(Map<String, String> environment) {
    this.environment = Map.copyOf(environment);
  }

  @Override
  public Integer call() {
    Event.Name which = Event.Name.parseJobEvent(name);
    JobRef ref = jobRef();
    Event event = which == Event.Name.START ? Event.start(ref) : done(ref);
    server.connect(environment, spec.commandLine().getErr()).send(event, server.retry());
    spec.commandLine().getOut().println("sent " + event);
    return 0;
  }

  private JobRef jobRef() {
    WorkerHost host = WorkerHost.parse(workerHost);
    String key = host == WorkerHost.GITHUB ? JobMeta.GITHUB_RUN_NUMBER : JobMeta.JOB_ID;
    String run = runId != null ? runId : environment.get(key);
    if (run == null) {
      throw new BadInput("--run-id is required (no " + key + " in the environment)");
    }
    return new JobRef(host, new RunId(run), new JobName(job));
  }

  private Event done(JobRef ref) {
    if (status == null || status < 0 || status > 255) {
      throw new BadInput("--name done needs --status N (0-255), the job's largest task status");
    }
    if (!updateStatusApi) {
      return Event.done(ref, status, false);
    }
    String runId = statusRunId != null ? statusRunId : environment.get("GITHUB_RUN_ID");
    return runId == null ? Event.done(ref, status, true) : Event.done(ref, status, runId);
  }
}
