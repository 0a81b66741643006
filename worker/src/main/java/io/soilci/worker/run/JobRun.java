package io.soilci.worker.run;

import io.soilci.result.JobMeta;
import io.soilci.result.JobMetaCodec;
import io.soilci.result.JobSummary;
import io.soilci.result.TaskRow;
import io.soilci.result.TaskRows;
import io.soilci.result.WwzPath;
import io.soilci.web.WwzIndexPage;
import io.soilci.worker.provider.Instance;
import io.soilci.worker.provider.InstanceSpec;
import io.soilci.worker.provider.TaskEnvironment;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * One run of a job: start the provider's instance, run the tasks, stop it, then write the metadata
 * and the job's three files.
 */
final class JobRun {
  private final JobSettings settings;
  private final SafeListener listener;
  private final Progress progress;
  private final PrintWriter err;

  JobRun(JobSettings settings, JobListener listener, PrintWriter out, PrintWriter err) {
    this.settings = settings;
    this.listener = new SafeListener(listener, err);
    this.progress = new Progress(out);
    this.err = err;
  }

  /** Runs the job; returns its exit status, the largest task status. */
  int run() throws IOException {
    JobFiles files = new JobFiles(settings.out(), settings.job());
    long deployStart = epochSeconds();
    List<TaskRow> rows;
    long runStart;
    Map<String, String> facts;
    try (Instance instance =
        settings
            .provider()
            .start(
                new InstanceSpec(
                    settings.job(),
                    settings.checkout(),
                    settings.workerEnv(),
                    settings.envNames()))) {
      files.removeOld();
      runStart = epochSeconds();
      JobRunner runner =
          new JobRunner(
              instance,
              settings.checkout(),
              settings.timeouts(),
              settings.logCap(),
              listener,
              progress);
      rows = runner.run(settings.tasks());
      facts = instance.facts();
    }
    JobSummary summary = new JobSummary(settings.job(), rows);
    JobMetadata metadata = metadata(facts, deployStart, runStart, summary.maxStatus());
    writeFiles(files, metadata, rows);
    progress.summary(summary, settings.out().toString());
    return summary.maxStatus();
  }

  private JobMetadata metadata(
      Map<String, String> facts, long deployStart, long runStart, int status) {
    Map<String, String> gitEnv = TaskEnvironment.local(settings.workerEnv(), List.of());
    Map<String, String> commit = GitFacts.read(settings.checkout(), gitEnv);
    if (commit.isEmpty()) {
      err.println("soil-worker: no git commit in " + settings.checkout() + "; commit-* left out");
      err.flush();
    }
    JobMetadata metadata = new JobMetadata(settings.job(), commit);
    facts.forEach(metadata::put);
    metadata
        .put(JobMeta.TASK_DEPLOY_START_TIME, Long.toString(deployStart))
        .put(JobMeta.TASK_RUN_START_TIME, Long.toString(runStart))
        .put(JobMetadata.SOIL_VERSION, SoilVersion.get())
        .put(JobMetadata.PROVIDER, settings.provider().name());
    String image = settings.image();
    if (image != null) {
      metadata.put(JobMetadata.IMAGE, image);
    }
    metadata.put(JobMetadata.JOB_STATUS, Integer.toString(status));
    return metadata.hostEnvironment(settings.workerHost(), settings.workerEnv());
  }

  private void writeFiles(JobFiles files, JobMetadata metadata, List<TaskRow> rows)
      throws IOException {
    Path checkout = settings.checkout();
    List<Path> metaFiles = metadata.writeFiles(checkout);
    ResultFiles entries =
        new ResultFiles(
            checkout,
            settings.maxResultBytes(),
            List.of(checkout.resolve(WwzPath.META_DIR), settings.out()),
            err);
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
            file -> WwzWriter.write(file, index, entries.entries(), settings.zipLevel()));
    progress.packaged(files.wwz().toString(), stats);
    files.write(files.tsv(), TaskRows.format(rows).getBytes(StandardCharsets.UTF_8));
    files.write(files.json(), JobMetaCodec.format(metadata.toMeta()));
  }

  private static long epochSeconds() {
    return System.currentTimeMillis() / 1000;
  }
}
