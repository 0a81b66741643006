package io.soilci.worker.run;

import io.soilci.cli.SoilVersion;
import io.soilci.result.JobMeta;
import io.soilci.result.JobMetaCodec;
import io.soilci.result.JobSummary;
import io.soilci.result.SiteLayout;
import io.soilci.result.TaskName;
import io.soilci.result.TaskRow;
import io.soilci.result.TaskRows;
import io.soilci.result.TestCounts;
import io.soilci.result.WwzPath;
import io.soilci.web.WwzIndexPage;
import io.soilci.worker.provider.Instance;
import io.soilci.worker.provider.InstanceSpec;
import io.soilci.worker.provider.TaskEnvironment;
import io.soilci.worker.testreport.TestReports;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One run of a job: start the provider's instance, run the tasks, stop it, then write the metadata
 * and the job's three files.
 */
public final class JobRun {
  private final JobSettings settings;
  private final SafeListener listener;
  private final Progress progress;
  private final PrintWriter err;
  private final Cancellation cancellation;

  /**
   * A run that tells {@code listener} of its progress and prints its lines to out and err; {@code
   * cancellation} stops it early.
   */
  public JobRun(
      JobSettings settings,
      JobListener listener,
      PrintWriter out,
      PrintWriter err,
      Cancellation cancellation) {
    this.settings = settings;
    this.cancellation = cancellation;
    this.listener = new SafeListener(listener, err);
    this.progress = new Progress(out);
    this.err = err;
  }

  /**
   * Runs the job; returns its exit status, the largest task status (a cancelled job's: 128 + the
   * signal's number).
   */
  public int run() throws IOException {
    JobFiles files = new JobFiles(settings.output().dir(), settings.job());
    long deployStart = epochSeconds();
    JobSettings.Placement placement = settings.placement();
    GitFacts git =
        GitFacts.start(
            placement.checkout(), TaskEnvironment.local(placement.workerEnv(), List.of()));
    TasksRun ran;
    try {
      ran = runTasks(files, git);
    } catch (IOException | RuntimeException e) {
      git.cancel();
      throw e;
    }
    JobSummary summary = new JobSummary(settings.job(), ran.rows());
    Optional<StopSignal> stop = cancellation.signal();
    int status = stop.map(StopSignal::exitStatus).orElse(summary.maxStatus());
    JobMetadata metadata = metadata(git.get(), ran.facts(), deployStart, ran.startTime(), status);
    stop.ifPresent(s -> metadata.put(JobMeta.JOB_CANCELLED, s.signalName()));
    writeFiles(files, metadata, ran);
    progress.summary(summary, settings.output().dir().toString());
    return status;
  }

  /** What running the tasks gave: their rows, when they started, the instance's facts. */
  private record TasksRun(List<TaskRow> rows, long startTime, Map<String, String> facts) {}

  private TasksRun runTasks(JobFiles files, GitFacts commit) throws IOException {
    JobSettings.Placement placement = settings.placement();
    InstanceSpec spec =
        new InstanceSpec(
            settings.job(), placement.checkout(), placement.workerEnv(), placement.envNames());
    try (Instance instance = placement.provider().start(spec)) {
      // Only once the instance runs: a job that cannot start leaves the last run's files be.
      files.removeOld();
      long startTime = epochSeconds();
      JobRunner runner =
          new JobRunner(
              instance,
              placement.checkout(),
              settings.timeouts(),
              settings.output().logCap(),
              listener,
              progress,
              cancellation,
              settings.parallel());
      cancellation.running(instance);
      try {
        List<TaskRow> rows = runner.run(settings.tasks(), commit);
        return new TasksRun(rows, startTime, instance.facts());
      } finally {
        cancellation.running(null);
      }
    }
  }

  private JobMetadata metadata(
      Map<String, String> commit,
      Map<String, String> facts,
      long deployStart,
      long runStart,
      int status) {
    JobSettings.Placement placement = settings.placement();
    if (commit.isEmpty()) {
      err.println("soil-worker: no git commit in " + placement.checkout() + "; commit-* left out");
      err.flush();
    }
    JobMetadata metadata = new JobMetadata(settings.job(), commit);
    facts.forEach(metadata::put);
    metadata
        .put(JobMeta.TASK_DEPLOY_START_TIME, Long.toString(deployStart))
        .put(JobMeta.TASK_RUN_START_TIME, Long.toString(runStart))
        .put(JobMetadata.SOIL_VERSION, SoilVersion.get())
        .put(JobMetadata.PROVIDER, placement.provider().name());
    String image = placement.image();
    if (image != null) {
      metadata.put(JobMetadata.IMAGE, image);
    }
    metadata.put(JobMetadata.JOB_STATUS, Integer.toString(status));
    return metadata
        .agent(placement.workerEnv())
        .hostEnvironment(settings.workerHost(), placement.workerEnv());
  }

  private void writeFiles(JobFiles files, JobMetadata metadata, TasksRun ran) throws IOException {
    List<TaskRow> rows = ran.rows();
    Path checkout = settings.placement().checkout();
    JobSettings.Output output = settings.output();
    List<Path> excluded = List.of(checkout.resolve(WwzPath.META_DIR), output.dir());
    ResultFiles entries = new ResultFiles(checkout, output.maxResultBytes(), excluded, err);
    if (!settings.testReports().isEmpty()) {
      readTestReports(ran, excluded, entries).metaValues().forEach(metadata::put);
    }
    List<Path> metaFiles = metadata.writeFiles(checkout);
    entries.addOwn(checkout.resolve(WwzPath.INDEX_TSV));
    metaFiles.forEach(entries::addOwn);
    for (TaskRow row : rows) {
      entries.addOwn(checkout.resolve(row.logPath()));
    }
    for (TaskRow row : rows) {
      if (row.resultPath().isPresent()) {
        entries.addResultFolder(row.resultPath().get());
      }
    }
    byte[] index = WwzIndexPage.render(settings.job(), rows).getBytes(StandardCharsets.UTF_8);
    WwzStats stats =
        files.write(
            files.wwz(),
            file -> WwzWriter.write(file, index, entries.entries(), output.zipLevel()));
    progress.packaged(files.wwz().toString(), stats);
    files.write(files.tsv(), TaskRows.format(rows).getBytes(StandardCharsets.UTF_8));
    files.write(files.json(), JobMetaCodec.format(metadata.toMeta()));
  }

  /**
   * Reads each task's test reports into the test table (added to the wwz with the reports
   * themselves, readable or not); returns the job's counts. Reports modified before the job's tasks
   * started (less a second of clock granularity) belong to an earlier job and are left alone.
   */
  private TestCounts readTestReports(TasksRun ran, List<Path> excluded, ResultFiles entries)
      throws IOException {
    Path checkout = settings.placement().checkout();
    FileTime since = FileTime.from(Instant.ofEpochSecond(ran.startTime() - 1));
    Map<TaskName, List<Path>> found = settings.testReports().find(checkout, excluded, since, err);
    Path table = checkout.resolve(SiteLayout.TEST_RESULTS);
    TestCounts counts;
    try (TestReports reports = new TestReports(checkout, table)) {
      for (Map.Entry<TaskName, List<Path>> task : found.entrySet()) {
        for (Path report : task.getValue()) {
          String unreadable = reports.read(task.getKey(), report);
          if (unreadable != null) {
            err.println(
                "soil-worker: task "
                    + task.getKey()
                    + ": test report "
                    + checkout.relativize(report)
                    + " is unreadable: "
                    + unreadable.lines().findFirst().orElse(""));
            err.flush();
          }
          entries.addReport(report);
        }
      }
      counts = reports.counts();
    }
    entries.addOwn(table);
    progress.tests(counts);
    return counts;
  }

  private static long epochSeconds() {
    return System.currentTimeMillis() / 1000;
  }
}
