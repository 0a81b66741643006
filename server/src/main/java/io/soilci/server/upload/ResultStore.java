package io.soilci.server.upload;

import io.soilci.files.AtomicFiles;
import io.soilci.result.BadInput;
import io.soilci.result.FolderIsAFile;
import io.soilci.result.JobFile;
import io.soilci.result.JobName;
import io.soilci.result.JobRef;
import io.soilci.result.RunId;
import io.soilci.result.SiteLayout;
import io.soilci.result.WorkerHost;
import io.soilci.server.auth.JobClaims;
import io.soilci.server.auth.Worker;
import io.soilci.server.config.Limits;
import io.soilci.server.site.RunLocks;
import io.soilci.server.state.StateLayout;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The job files under the site root: receiving uploads ({@link Staging}), checking files that
 * arrived another way (SFTP, then {@code ingest}), listing a run's finished jobs, and status API
 * files.
 */
public final class ResultStore {
  private static final int MAX_STATUS_BYTES = 1024;

  private final SiteLayout layout;
  private final JobFileCheck check;
  private final RunLocks locks;
  private final CommitJournal journal;

  /**
   * The job files under {@code root}, committed through a journal in {@code state}; {@code locks}
   * are the site's, so that retention and readers see a job's files change together.
   */
  public ResultStore(Path root, StateLayout state, Limits limits, RunLocks locks) {
    this.layout = new SiteLayout(root);
    this.check = new JobFileCheck(limits);
    this.locks = locks;
    this.journal = new CommitJournal(root, state);
  }

  /**
   * Completes the commits a crash interrupted (see {@link CommitJournal}); call it at start, before
   * the site is read and temp files are swept. Returns how many there were. With {@code hooksHere}
   * (a single box) their jobs' hooks are due ({@link io.soilci.server.hooks.DueHooks}).
   */
  public static int recoverCommits(Path root, StateLayout state, boolean hooksHere)
      throws IOException {
    return new CommitJournal(root, state).recover(hooksHere);
  }

  /**
   * A new upload of {@code ref}'s files by {@code worker}; a name that collides with a site page is
   * refused, and so is a job the {@code claims} keep from the worker.
   */
  Staging stage(JobRef ref, Worker worker, JobClaims claims) {
    SiteLayout.requirePublishable(ref);
    return new Staging(
        ref, layout, check, locks, journal, Optional.empty(), claim(ref, worker, claims));
  }

  private static Runnable claim(JobRef ref, Worker worker, JobClaims claims) {
    return () -> claims.check(worker.name(), ref);
  }

  /**
   * Like {@link #stage} for a worker that may only add new jobs: the commit is refused (403) when
   * any of the job's files exists, checked under the job's lock.
   */
  Staging stageNew(JobRef ref, Worker worker, JobClaims claims) {
    SiteLayout.requirePublishable(ref);
    return new Staging(
        ref, layout, check, locks, journal, Optional.of(worker), claim(ref, worker, claims));
  }

  /**
   * Puts a job's files, fetched by a replica into temp files beside their targets ({@link
   * AtomicFiles#createTemp}) and checked against the hashes their change names, in place as an
   * upload's commit does: synced, through the commit journal, wwz, tsv, JSON last, under the job's
   * lock; then reads them as {@link #ingest} does.
   */
  public StoredJob commitFetched(JobRef ref, Map<JobFile, Path> fetched) throws IOException {
    SiteLayout.requirePublishable(ref);
    ReentrantLock lock = locks.job(ref);
    lock.lock();
    try {
      for (Path temp : fetched.values()) {
        AtomicFiles.sync(temp);
      }
      journal.begin(ref, fetched);
      journal.rollForward(ref, fetched);
      journal.end(ref);
      return read(ref);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Validates a job's three files already in place (e.g. copied over SFTP) by an upload's rules,
   * its task table's LF line ends included.
   */
  public StoredJob ingest(JobRef ref) throws IOException {
    SiteLayout.requirePublishable(ref);
    for (JobFile kind : JobFile.values()) {
      if (!Files.isRegularFile(file(ref, kind))) {
        throw new BadInput(ref.file(kind) + " does not exist under " + layout.root());
      }
    }
    check.wwz(file(ref, JobFile.WWZ), ref.file(JobFile.WWZ));
    JobFileCheck.requireLineFeeds(
        file(ref, JobFile.TSV), ref.file(JobFile.TSV), "run ingest again");
    return read(ref);
  }

  /**
   * Every job of a run whose JSON (its last file) is stored beside its wwz, read from the files.
   */
  public List<StoredJob> finishedJobs(WorkerHost host, RunId run) throws IOException {
    SiteLayout.requireRunName(run);
    Path dir = layout.path(SiteLayout.runDir(host, run));
    List<StoredJob> jobs = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      throw new BadInput("run '" + SiteLayout.runDir(host, run) + "' does not exist");
    }
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
      for (Path file : files) {
        Optional<JobName> job = SiteLayout.jobMetadata(file.getFileName().toString());
        JobRef ref = job.map(name -> new JobRef(host, run, name)).orElse(null);
        // A job's JSON is its last file: without its wwz beside it, the copy is not complete.
        if (ref != null && Files.isRegularFile(file(ref, JobFile.WWZ))) {
          jobs.add(read(ref));
        }
      }
    }
    return jobs;
  }

  /**
   * The stored job's metadata and task rows, read from its JSON and tsv (its wwz is not read: a
   * replica uses it for a job whose files it already checked).
   */
  public StoredJob readStored(JobRef ref) throws IOException {
    SiteLayout.requirePublishable(ref);
    return read(ref);
  }

  private StoredJob read(JobRef ref) throws IOException {
    var rows = check.rows(file(ref, JobFile.TSV), ref.file(JobFile.TSV));
    var meta = check.meta(file(ref, JobFile.JSON), ref.file(JobFile.JSON), ref.job());
    return new StoredJob(ref, meta, rows);
  }

  private Path file(JobRef ref, JobFile kind) {
    return layout.path(ref.file(kind));
  }

  /** Checks a status file: named for its job, one line {@code "<status> <job id>"}. */
  JobName checkStatus(String fileName, byte[] bytes) {
    JobName job = SiteLayout.statusFileJob(fileName);
    String text = new String(bytes, StandardCharsets.UTF_8);
    if (bytes.length > MAX_STATUS_BYTES
        || !text.matches("[0-9]{1,3} [^\\n\\r]{1,200}\\n?")
        || Integer.parseInt(text.substring(0, text.indexOf(' '))) > 255) {
      throw new BadInput(
          "status file '"
              + fileName
              + "' must be one line '<status> <job id>' with status 0-255, e.g. '0 4101'");
    }
    return job;
  }

  /**
   * Stores a checked status file at {@link SiteLayout#statusFile}; a plain file where one of its
   * folders should be is named ({@link FolderIsAFile}) and left as it is.
   */
  public void storeStatus(WorkerHost host, RunId statusRun, String fileName, byte[] bytes)
      throws IOException {
    JobName job = checkStatus(fileName, bytes);
    Path file = layout.path(SiteLayout.statusFile(host, statusRun.value(), job));
    try {
      AtomicFiles.write(file, bytes);
    } catch (FileSystemException e) {
      throw layout.named(file, e);
    }
  }
}
