package io.soilci.server.site;

import io.soilci.files.AtomicFiles;
import io.soilci.result.Fixtures;
import io.soilci.result.JobFile;
import io.soilci.result.JobMeta;
import io.soilci.result.JobMetaCodec;
import io.soilci.result.JobName;
import io.soilci.result.JobRef;
import io.soilci.result.RunId;
import io.soilci.result.TaskName;
import io.soilci.result.TaskRow;
import io.soilci.result.TaskRows;
import io.soilci.result.WorkerHost;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/** Site folders for tests: the original Soil's fixtures, jobs made up on the spot, snapshots. */
final class SiteTrees {
  private SiteTrees() {}

  /** Copies the fixtures (test resources, never to be changed) into {@code root}, writable. */
  static void copyFixtures(Path root) throws IOException {
    Path from = Fixtures.soilOriginal();
    try (Stream<Path> files = Files.walk(from)) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        Path to = root.resolve(from.relativize(file).toString());
        Files.createDirectories(to.getParent());
        Files.write(to, Files.readAllBytes(file));
      }
    }
  }

  static JobRef ref(String run, String job) {
    return new JobRef(WorkerHost.GITHUB, new RunId(run), new JobName(job));
  }

  static TaskRow row(String name, int status, double elapsed) {
    return new TaskRow(status, elapsed, new TaskName(name), "test/" + name + ".sh", "all", "-");
  }

  /** 2025-11-20T00:53:20Z: tests start their jobs some seconds after it. */
  static final long T0 = 1_763_600_000L;

  /** A job's meta as Soil writes it, started at {@code start} (epoch seconds). */
  static JobMeta meta(String job, String run, String commit, String subject, long start) {
    Map<String, @Nullable String> values = new LinkedHashMap<>();
    values.put(JobMeta.COMMIT_HASH, commit);
    values.put(JobMeta.COMMIT_DATE, "2026-11-20T10:00:01+00:00");
    values.put(JobMeta.COMMIT_LINE, subject);
    values.put(JobMeta.TASK_RUN_START_TIME, Long.toString(start));
    values.put(JobMeta.JOB_NAME, job);
    values.put(JobMeta.JOB_URL, "https://github.com/example/proj/actions/runs/9" + run);
    values.put(JobMeta.GITHUB_RUN_ID, "9" + run);
    values.put(JobMeta.GITHUB_RUN_NUMBER, run);
    values.put(JobMeta.GITHUB_REF, "refs/heads/soil-staging");
    values.put(JobMeta.GITHUB_PR_NUMBER, null);
    return new JobMeta(values);
  }

  /** Writes the job's three files as an upload would (JSON last) and tells the site. */
  static void store(Site site, Path root, JobRef ref, JobMeta meta, List<TaskRow> rows)
      throws IOException {
    AtomicFiles.write(root.resolve(ref.file(JobFile.WWZ)), new byte[] {'P', 'K', 5, 6});
    AtomicFiles.write(
        root.resolve(ref.file(JobFile.TSV)),
        TaskRows.format(rows).getBytes(StandardCharsets.UTF_8));
    AtomicFiles.write(root.resolve(ref.file(JobFile.JSON)), JobMetaCodec.format(meta));
    site.jobStored(ref, meta, rows);
  }

  /** Every file under {@code root} (path → bytes), temp files excluded. */
  static Map<String, byte[]> snapshot(Path root) {
    Map<String, byte[]> out = new TreeMap<>();
    try (Stream<Path> files = Files.walk(root)) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        out.put(root.relativize(file).toString(), Files.readAllBytes(file));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  static RunState run(Site site, WorkerHost host, String run) {
    return java.util.Objects.requireNonNull(
        site.index().run(host, new RunId(run)), "no run " + run);
  }

  static JobEntry job(RunState run, String job) {
    return java.util.Objects.requireNonNull(run.jobs().get(job), "no job " + job);
  }

  static String read(Path root, String path) throws IOException {
    return Files.readString(root.resolve(path));
  }
}
