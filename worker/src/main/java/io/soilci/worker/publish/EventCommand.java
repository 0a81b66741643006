package io.soilci.worker.publish;

import io.soilci.result.BadInput;
import io.soilci.result.JobName;
import io.soilci.result.JobRef;
import java.util.Map;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code event}: sends a job's start or done event by hand, for jobs run by a shell script. */
@Command(
    name = "event",
    mixinStandardHelpOptions = true,
    description = "Tells the server that a job started or is done (for jobs not run by run-job).",
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {"0:sent", "1:failed: server unreachable or token refused", "2:bad usage"})
public final class EventCommand implements Callable<Integer> {
  @Mixin ServerOptions server = new ServerOptions();
  @Mixin JobOptions jobOptions = new JobOptions();

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
    JobRef ref = jobOptions.jobRef(new JobName(job), null);
    Event event = which == Event.Name.START ? Event.start(ref) : done(ref);
    server.connect(environment).send(event, server.retry());
    System.out.println("sent " + event);
    return 0;
  }

  private Event done(JobRef ref) {
    if (status == null || status < 0 || status > 255) {
      throw new BadInput("--name done needs --status N (0-255), the job's largest task status");
    }
    if (!jobOptions.updateStatusApi()) {
      return Event.done(ref, status, false);
    }
    String runId = statusRunId != null ? statusRunId : environment.get("GITHUB_RUN_ID");
    return runId == null ? Event.done(ref, status, true) : Event.done(ref, status, runId);
  }
}
