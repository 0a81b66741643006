package io.soilci.server.site;

import io.soilci.result.BadInput;
import io.soilci.result.JobFile;
import io.soilci.result.JobMeta;
import io.soilci.result.JobMetaCodec;
import io.soilci.result.JobName;
import io.soilci.result.JobRef;
import io.soilci.result.RunId;
import io.soilci.result.SiteLayout;
import io.soilci.result.TaskRow;
import io.soilci.result.TaskRows;
import io.soilci.result.WorkerHost;
import io.soilci.server.logview.ErrorPatterns;
import io.soilci.server.logview.FailureBriefs;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the site's stored jobs into runs: every {@code RUN/JOB.json} with its {@code JOB.tsv} (a
 * job is done when its JSON exists), and every running job's state. Runs are read in parallel; a
 * job whose files break a rule is logged by run and job and listed as broken, never stops the
 * start.
 */
final class SiteLoader {
  private static final Logger LOG = LoggerFactory.getLogger(SiteLoader.class);

  /** Runs read at once: reading waits on the disk more than on the CPU. */
  private static final int READERS = 8;

  private SiteLoader() {}

  /** Every run of {@code host} found under {@code root}. */
  static List<RunState> load(Path root, WorkerHost host, ErrorPatterns patterns)
      throws IOException {
    Path hostDir = new SiteLayout(root).path(SiteLayout.hostDir(host));
    if (!Files.isDirectory(hostDir)) {
      return List.of();
    }
    return loadDirs(host, runDirs(hostDir), patterns).stream()
        .filter(run -> !run.jobs().isEmpty())
        .toList();
  }

  /**
   * The runs in {@code dirs} (folders of {@code host}), read in parallel, empty ones included; a
   * folder that cannot be listed is left out. Progress is logged every tenth of a long read.
   */
  static List<RunState> loadDirs(WorkerHost host, List<Path> dirs, ErrorPatterns patterns)
      throws IOException {
    AtomicInteger done = new AtomicInteger();
    int step = dirs.size() >= 1000 ? dirs.size() / 10 : Integer.MAX_VALUE;
    ForkJoinPool pool = new ForkJoinPool(READERS);
    try {
      return pool.submit(
              () ->
                  dirs.parallelStream()
                      .map(
                          dir -> {
                            RunState run = loadRun(host, dir, null, patterns);
                            int n = done.incrementAndGet();
                            if (n % step == 0) {
                              LOG.info(
                                  "reading the stored jobs of {}: {} of {} runs",
                                  host.prefix(),
                                  n,
                                  dirs.size());
                            }
                            return run;
                          })
                      .filter(Objects::nonNull)
                      .toList())
          .get();
    } catch (ExecutionException e) {
      throw new IOException("reading the runs of " + host.prefix() + " failed", e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while reading " + host.prefix());
    } finally {
      pool.shutdown();
    }
  }

  static List<Path> runDirs(Path hostDir) throws IOException {
    List<Path> runDirs = new ArrayList<>();
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(hostDir, Files::isDirectory)) {
      for (Path dir : dirs) {
        if (SiteLayout.isRunName(dir.getFileName().toString())) {
          runDirs.add(dir);
        }
      }
    }
    return runDirs;
  }

  /**
   * The named runs of {@code host} as their folders hold them now (missing ones left out), each
   * job's files read under its lock so that a commit going on is seen whole or not at all.
   */
  static List<RunState> loadRuns(
      Path root, WorkerHost host, List<RunId> runs, RunLocks locks, ErrorPatterns patterns) {
    List<RunState> out = new ArrayList<>();
    for (RunId run : runs) {
      Path dir = new SiteLayout(root).path(SiteLayout.runDir(host, run));
      RunState state = Files.isDirectory(dir) ? loadRun(host, dir, locks, patterns) : null;
      if (state != null) {
        out.add(state);
      }
    }
    return out;
  }

  private static @Nullable RunState loadRun(
      WorkerHost host, Path dir, @Nullable RunLocks locks, ErrorPatterns patterns) {
    RunId run = new RunId(dir.getFileName().toString());
    TreeMap<String, JobEntry> jobs = new TreeMap<>();
    try {
      for (Path json : jobFiles(dir)) {
        JobFacts facts =
            locks == null
                ? readJob(host, run, json, patterns)
                : readLocked(host, run, json, locks, patterns);
        jobs.put(facts.name().value(), new JobEntry(facts.name(), facts, null));
      }
      Path runningDir = dir.resolve(SiteLayout.RUNNING_DIR);
      if (Files.isDirectory(runningDir)) {
        for (Path state : jobFiles(runningDir)) {
          readRunning(host, run, state, jobs);
        }
      }
    } catch (IOException e) {
      LOG.warn("{}/{}: skipped, cannot list the run folder: {}", host.prefix(), run, e.toString());
      return null;
    }
    return new RunState(RunKey.of(run), RunRecords.arrivedOf(dir), jobs);
  }

  private static JobFacts readLocked(
      WorkerHost host, RunId run, Path json, RunLocks locks, ErrorPatterns patterns) {
    var lock = locks.job(new JobRef(host, run, jobName(json).orElseThrow()));
    lock.lock();
    try {
      return readJob(host, run, json, patterns);
    } finally {
      lock.unlock();
    }
  }

  /** The files of a folder that hold a job's metadata ({@link SiteLayout#jobMetadata}). */
  private static List<Path> jobFiles(Path dir) throws IOException {
    List<Path> out = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
      for (Path file : files) {
        if (jobName(file).isPresent()) {
          out.add(file);
        }
      }
    }
    return out;
  }

  private static Optional<JobName> jobName(Path file) {
    return SiteLayout.jobMetadata(file.getFileName().toString());
  }

  private static JobFacts readJob(WorkerHost host, RunId run, Path json, ErrorPatterns patterns) {
    JobName job = jobName(json).orElseThrow();
    JobRef ref = new JobRef(host, run, job);
    String where = ref.toString();
    try {
      JobMeta meta =
          JobMetaCodec.parse(small(json, JobMetaCodec.MAX_BYTES), ref.file(JobFile.JSON));
      byte[] tsv = small(json.resolveSibling(JobFile.TSV.fileName(job)), TaskRows.MAX_BYTES);
      List<TaskRow> tasks =
          TaskRows.parse(new String(tsv, StandardCharsets.UTF_8), ref.file(JobFile.TSV));
      Path wwz = json.resolveSibling(JobFile.WWZ.fileName(job));
      TestSummary tests = TestSummary.of(meta, job, wwz, where);
      JobFacts facts =
          JobFacts.of(
              meta,
              tasks,
              () -> modified(json),
              tests,
              () -> FailureBriefs.read(wwz, tasks, patterns));
      return facts.name().equals(job) ? facts : facts.withName(job);
    } catch (IOException | RuntimeException e) {
      // One bad job must not stop the site: it is listed as broken, with why.
      LOG.warn("{}: shown as broken, cannot read the stored job: {}", where, e.getMessage());
      return JobFacts.broken(job, String.valueOf(e.getMessage()), modified(json));
    }
  }

  /**
   * The bytes of a file of at most {@code max} bytes, read at once: a stored job's files are small,
   * and one read beats a stack of buffered readers per file at 100,000 jobs.
   */
  private static byte[] small(Path file, int max) throws IOException {
    if (Files.size(file) > max) {
      throw new BadInput(file.getFileName() + " is larger than " + max + " bytes");
    }
    return Files.readAllBytes(file);
  }

  /** The file's modification time in epoch seconds: the start of a job that lacks one. */
  static long modified(Path file) {
    try {
      return Files.getLastModifiedTime(file).toInstant().getEpochSecond();
    } catch (IOException e) {
      return 0;
    }
  }

  private static void readRunning(
      WorkerHost host, RunId run, Path file, Map<String, JobEntry> jobs) {
    JobName job = jobName(file).orElseThrow();
    try {
      RunningJob running = RunningFiles.read(file);
      JobEntry stored = jobs.get(job.value());
      jobs.put(job.value(), new JobEntry(job, stored == null ? null : stored.stored(), running));
    } catch (IOException e) {
      LOG.warn("{}/{}/{}: running state skipped: {}", host.prefix(), run, job, e.getMessage());
    }
  }
}
