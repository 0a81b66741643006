package io.soilci.worker.publish;

import io.soilci.result.JobMeta;
import io.soilci.result.JobMetaCodec;
import io.soilci.result.JobRef;
import io.soilci.result.JobSummary;
import io.soilci.result.TaskRows;
import io.soilci.worker.WorkerFailure;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code publish}: uploads a packaged job over HTTP or SSH, then sends its done event. */
@Command(
    name = "publish",
    mixinStandardHelpOptions = true,
    description = {
      "Uploads DIR/JOB.wwz, .tsv and .json (the JSON last) to a Soil server, then sends the"
          + " job's done event.",
      "Over HTTP (--server) with retries; or over SSH (--ssh): SFTP to temp names, rename into"
          + " place, then the server's ingest command.",
      "Publishing the same job again replaces it."
    },
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {
      "0:published",
      "1:failed: server unreachable, token refused, SSH login or ingest failed",
      "2:bad usage: missing files, bad option values"
    })
public final class PublishCommand implements Callable<Integer> {
  @Mixin ServerOptions server = new ServerOptions();
  @Mixin JobOptions jobOptions = new JobOptions();

  @Option(
      names = "--ssh",
      paramLabel = "USER@HOST:SITE",
      description = "Publish over SSH/SFTP into the server's site folder SITE instead of HTTP.")
  @Nullable String ssh;

  @Option(names = "--ssh-port", defaultValue = "22", description = "Default: ${DEFAULT-VALUE}.")
  int sshPort;

  @Option(
      names = "--ssh-key",
      paramLabel = "FILE",
      description = "Private key file. Default: the ssh-agent at SSH_AUTH_SOCK.")
  @Nullable Path sshKey;

  @Option(
      names = "--known-hosts",
      paramLabel = "FILE",
      description =
          "Host keys to trust. Default: ~/.ssh/known_hosts. Host keys are always checked.")
  @Nullable Path knownHosts;

  @Option(
      names = "--ingest-command",
      paramLabel = "CMD",
      defaultValue = "soil-server ingest",
      description =
          "Remote command that adds the files to the site; run as CMD --site SITE PREFIX/RUN/JOB."
              + " Default: '${DEFAULT-VALUE}'.")
  String ingestCommand = "soil-server ingest";

  @Option(names = "--no-done-event", description = "Upload only; send no done event.")
  boolean noDoneEvent;

  @Parameters(
      paramLabel = "DIR/JOB",
      description = "The job's files without extension, e.g. _tmp/soil/my-job.")
  String dirAndJob = "";

  private final Map<String, String> environment;

  /** The command in this process's environment. */
  public PublishCommand() {
    this(System.getenv());
  }

  /** The command with {@code environment} standing for the worker's (tests give theirs). */
  public PublishCommand(Map<String, String> environment) {
    this.environment = Map.copyOf(environment);
  }

  @Override
  public Integer call() {
    JobFiles files = JobFiles.parse(dirAndJob).requireAll();
    JobMeta meta = readMeta(files);
    JobRef job = jobOptions.jobRef(files.job(), meta);
    if (ssh != null) {
      sshPublisher().publish(job, files, statusLine(job, meta, files));
      System.out.println("published " + job + " over SSH to " + ssh);
      return 0;
    }
    SoilServer soil = server.connect(environment);
    soil.publish(job, files, server.retry());
    System.out.println("published " + job + " to " + soil.base() + job.runDir() + "/");
    if (!noDoneEvent) {
      int status = new JobSummary(job.job(), readRows(files)).maxStatus();
      soil.send(Event.done(job, status, jobOptions.updateStatusApi()), server.retry());
    }
    return 0;
  }

  /** With --update-status-api over SSH: GitHub's run id from the JSON, else the run. */
  private SshPublisher.@Nullable StatusApiLine statusLine(
      JobRef job, JobMeta meta, JobFiles files) {
    if (!jobOptions.updateStatusApi()) {
      return null;
    }
    String runId = meta.get(JobMeta.GITHUB_RUN_ID).orElse(job.run().value());
    return new SshPublisher.StatusApiLine(
        runId, new JobSummary(job.job(), readRows(files)).maxStatus());
  }

  private SshPublisher sshPublisher() {
    Path home = Path.of(System.getProperty("user.home"));
    Path hosts = knownHosts != null ? knownHosts : home.resolve(".ssh/known_hosts");
    return new SshPublisher(
        SshTarget.parse(ssh == null ? "" : ssh, sshPort),
        new SshPublisher.SshKeys(sshKey, hosts),
        ingestCommand);
  }

  private static JobMeta readMeta(JobFiles files) {
    try {
      return JobMetaCodec.read(files.json(), files.json().toString());
    } catch (IOException e) {
      throw new WorkerFailure("cannot read " + files.json() + ": " + e.getMessage(), e);
    }
  }

  private static java.util.List<io.soilci.result.TaskRow> readRows(JobFiles files) {
    try {
      return TaskRows.read(files.tsv(), files.tsv().toString());
    } catch (IOException e) {
      throw new WorkerFailure("cannot read " + files.tsv() + ": " + e.getMessage(), e);
    }
  }
}
