package io.soilci.worker.run;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code run-job}'s options for the job itself, as given: picocli fills the fields, {@link
 * JobSettingsFactory} reads them into {@link JobSettings}; nothing else writes them.
 */
public final class RunJobOptions {
  @Parameters(index = "0", paramLabel = "JOB", description = "The job's name, e.g. cpp-small.")
  String job = "";

  @Option(
      names = "--tasks",
      paramLabel = "FILE",
      description =
          "The task list in Soil's format: 'task_name script action result_html' a line (no"
              + " control characters). A relative FILE is read from the current directory, not"
              + " from --checkout.")
  @Nullable Path tasksFile;

  @Option(
      names = "--tasks-from",
      paramLabel = "CMD",
      description =
          "Run CMD with sh -c in the checkout and read the task list from its output, e.g."
              + " 'soil/worker.sh JOB-dev-minimal'.")
  @Nullable String tasksFrom;

  @Option(
      names = "--provider",
      defaultValue = "local",
      paramLabel = "NAME",
      description =
          "Where tasks run: local (processes), podman or docker. Default: ${DEFAULT-VALUE}.")
  String provider = "local";

  @Option(
      names = "--image",
      paramLabel = "IMAGE",
      description = "The container image (podman, docker); pulled when missing.")
  @Nullable String image;

  @Option(
      names = "--container-cli",
      paramLabel = "PATH",
      description = "The container CLI to run instead of 'podman' or 'docker'.")
  @Nullable String containerCli;

  @Option(
      names = "--env",
      paramLabel = "NAME",
      description =
          "Pass the worker's variable NAME to tasks (repeatable). A container gets no other;"
              + " local tasks get the worker's environment minus credentials (names with TOKEN,"
              + " SECRET, PASSWORD, PASSWD, CREDENTIAL, PRIVATE_KEY).")
  List<String> envNames = new ArrayList<>();

  @Option(
      names = "--task-timeout",
      paramLabel = "[TASK=]SECONDS",
      description =
          "Timeout of every task (SECONDS) or of one task (TASK=SECONDS), repeatable. Default:"
              + " 900. A task past it is killed with all its processes and gets status 124.")
  List<String> timeouts = new ArrayList<>();

  @Option(
      names = "--test-reports",
      paramLabel = "TASK=GLOB",
      description =
          "The task's test reports, JUnit XML or TAP (told apart by content): files of the"
              + " checkout matching GLOB (Java glob, relative to the checkout), repeatable. Read"
              + " into the wwz's test table and counted in JOB.json; an unreadable report never"
              + " fails the job.")
  List<String> testReports = new ArrayList<>();

  @Option(
      names = "--parallel",
      paramLabel = "N",
      defaultValue = "1",
      description =
          "Run up to N tasks at once in the same checkout or container, each as soon as the tasks"
              + " its '# needs:' line names have passed (a task whose need did not pass is"
              + " skipped: status 253). Default: ${DEFAULT-VALUE}, one after another.")
  int parallel = 1;

  @Option(
      names = "--checkout",
      paramLabel = "DIR",
      description = "The folder tasks run in (a container mounts it at the same path). Default: .")
  Path checkout = Path.of(".");

  @Option(
      names = "--out",
      paramLabel = "DIR",
      description = "Where JOB.wwz, JOB.tsv, JOB.json go. Default: CHECKOUT/_tmp/soil/out.")
  @Nullable Path out;

  @Option(
      names = "--log-cap",
      paramLabel = "SIZE",
      defaultValue = "64MiB",
      description =
          "Keep at most SIZE of each task's log; the rest is cut after a marker line (the task"
              + " goes on). Default: ${DEFAULT-VALUE}.")
  String logCap = "64MiB";

  @Option(
      names = "--max-results",
      paramLabel = "SIZE",
      defaultValue = "1GiB",
      description =
          "At most SIZE of result files (the folders holding the tasks' result pages) go into"
              + " the wwz. Default: ${DEFAULT-VALUE}.")
  String maxResults = "1GiB";

  @Option(
      names = "--zip-level",
      paramLabel = "N",
      defaultValue = "5",
      description =
          "Deflate level of the wwz, 1 (fastest) to 9 (smallest). Default: ${DEFAULT-VALUE}"
              + " (Soil's zip used 6: ~5%% smaller, ~1.5x slower on logs).")
  int zipLevel = WwzWriter.DEFAULT_LEVEL;

  @Option(
      names = "--worker-host",
      paramLabel = "HOST",
      defaultValue = "auto",
      description =
          "Whose CI variables JOB.json records: github, sourcehut, none, or auto (github when"
              + " GITHUB_ACTIONS=true, sourcehut when JOB_ID and JOB_URL are set). Default:"
              + " ${DEFAULT-VALUE}.")
  String workerHost = "auto";

  /** The job's name as given (checked when the settings are made). */
  public String job() {
    return job;
  }

  /** {@code --provider} as given. */
  public String provider() {
    return provider;
  }

  /** {@code --container-cli} as given. */
  public @Nullable String containerCli() {
    return containerCli;
  }
}
