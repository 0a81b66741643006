package io.soilci.server.upload;

import io.soilci.files.AtomicFiles;
import io.soilci.result.BadInput;
import io.soilci.result.JobName;
import io.soilci.result.JobRef;
import io.soilci.result.RunId;
import io.soilci.result.WorkerHost;
import io.soilci.server.config.Limits;
import io.soilci.server.http.Printable;
import io.soilci.server.site.RunLocks;
import io.soilci.server.site.Site;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The job files under the site root: receiving uploads ({@link Staging}), checking files that
 * arrived another way (SFTP, then {@code ingest}), listing a run's finished jobs, and status API
 * files.
 */
public final class ResultStore {
  private static final int MAX_STATUS_BYTES = 1024;

  private final Path root;
  private final JobFileCheck check;
  private final RunLocks locks;
  private final CommitJournal journal;

  /**
   * The job files under {@code root}, committed through a journal in {@code state}; {@code locks}
   * are the site's, so that retention and readers see a job's files change together.
   */
  public ResultStore(Path root, Path state, Limits limits, RunLocks locks) {
    this.root = root;
    this.check = new JobFileCheck(limits);
    this.locks = locks;
    this.journal = new CommitJournal(root, state);
  }

  /**
   * Completes the commits a crash interrupted (see {@link CommitJournal}); call it at start, before
   * the site is read and temp files are swept. Returns how many there were.
   */
  public static int recoverCommits(Path root, Path state) throws IOException {
    return new CommitJournal(root, state).recover();
  }

  /** A new upload of {@code ref}'s files; a name that collides with a site page is refused. */
  Staging stage(JobRef ref) {
    Site.requirePublishable(ref);
    return new Staging(ref, root, check, locks, journal);
  }

  /** Validates a job's three files already in place (e.g. copied over SFTP). */
  public StoredJob ingest(JobRef ref) throws IOException {
    Site.requirePublishable(ref);
    for (FileKind kind : FileKind.values()) {
      if (!Files.isRegularFile(root.resolve(ref.file(kind.extension())))) {
        throw new BadInput(ref.file(kind.extension()) + " does not exist under " + root);
      }
    }
    check.wwz(root.resolve(ref.file(".wwz")), ref.file(".wwz"));
    var rows = check.rows(root.resolve(ref.file(".tsv")), ref.file(".tsv"));
    var meta = check.meta(root.resolve(ref.file(".json")), ref.file(".json"), ref.job());
    return new StoredJob(ref, meta, rows);
  }

  /**
   * Every job of a run whose JSON (its last file) is stored beside its wwz, read from the files.
   */
  public List<StoredJob> finishedJobs(WorkerHost host, RunId run) throws IOException {
    Path dir = root.resolve(host.prefix()).resolve(run.value());
    List<StoredJob> jobs = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      throw new BadInput("run '" + host.prefix() + "/" + run + "' does not exist");
    }
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.json")) {
      for (Path json : files) {
        String name = json.getFileName().toString();
        String stem = name.substring(0, name.length() - ".json".length());
        // Only a job has its wwz beside its JSON; index.json and the like are the site's pages.
        if (AtomicFiles.isTemp(json) || !Files.isRegularFile(dir.resolve(stem + ".wwz"))) {
          continue;
        }
        JobRef ref = new JobRef(host, run, new JobName(name.substring(0, name.length() - 5)));
        jobs.add(
            new StoredJob(
                ref,
                check.meta(json, ref.file(".json"), ref.job()),
                check.rows(root.resolve(ref.file(".tsv")), ref.file(".tsv"))));
      }
    }
    return jobs;
  }

  /**
   * Deletes temp files older than {@code age} (left by a crash or a cut-off SFTP copy) from the
   * host, run and status folders; younger ones may belong to a copy still going on. Returns how
   * many were deleted.
   */
  public int sweepTemps(Duration age) throws IOException {
    Instant cutoff = Instant.now().minus(age);
    int deleted = 0;
    if (!Files.isDirectory(root)) {
      return 0;
    }
    try (Stream<Path> files = Files.walk(root, 4)) {
      for (Path file : (Iterable<Path>) files::iterator) {
        if (AtomicFiles.isTemp(file)
            && Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)
            && Files.getLastModifiedTime(file).toInstant().isBefore(cutoff)) {
          Files.deleteIfExists(file);
          deleted++;
        }
      }
    }
    return deleted;
  }

  /** Checks a status file: named {@code JOB.status.txt}, one line {@code "<status> <job id>"}. */
  void checkStatus(String fileName, byte[] bytes) {
    if (!fileName.endsWith(".status.txt")) {
      throw new BadInput(
          "status file '" + Printable.of(fileName) + "' must be named JOB.status.txt");
    }
    new JobName(fileName.substring(0, fileName.length() - ".status.txt".length()));
    String text = new String(bytes, StandardCharsets.UTF_8);
    if (bytes.length > MAX_STATUS_BYTES
        || !text.matches("[0-9]{1,3} [^\\n\\r]{1,200}\\n?")
        || Integer.parseInt(text.substring(0, text.indexOf(' '))) > 255) {
      throw new BadInput(
          "status file '"
              + fileName
              + "' must be one line '<status> <job id>' with status 0-255, e.g. '0 4101'");
    }
  }

  /** Stores a checked status file as {@code status-api/HOST/RUN_ID/JOB.status.txt}. */
  void storeStatus(WorkerHost host, RunId statusRun, String fileName, byte[] bytes)
      throws IOException {
    checkStatus(fileName, bytes);
    AtomicFiles.write(
        root.resolve("status-api").resolve(host.id()).resolve(statusRun.value()).resolve(fileName),
        bytes);
  }
}
