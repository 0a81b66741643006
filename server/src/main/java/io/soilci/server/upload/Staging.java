package io.soilci.server.upload;

import io.soilci.files.AtomicFiles;
import io.soilci.result.BadInput;
import io.soilci.result.JobFile;
import io.soilci.result.JobMeta;
import io.soilci.result.JobRef;
import io.soilci.result.SiteLayout;
import io.soilci.result.TaskRow;
import io.soilci.server.auth.Scope;
import io.soilci.server.auth.Worker;
import io.soilci.server.cluster.StagedUpload;
import io.soilci.server.http.HttpError;
import io.soilci.server.site.RunLocks;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One upload of a job's files in progress: each received into a temp file beside its target, all
 * validated, then committed through the {@link CommitJournal} (wwz, tsv, JSON last) under the job's
 * lock, so a crash can never leave files of two uploads. It holds its run against retention from
 * the first byte to {@link #close}. Closing it removes what was not committed, including folders it
 * created, so a refused upload changes nothing.
 */
final class Staging implements StagedUpload, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Staging.class);

  private final JobRef ref;
  private final SiteLayout layout;
  private final JobFileCheck check;
  private final ReentrantLock lock;
  private final CommitJournal journal;
  private RunLocks.@Nullable Hold run;
  private final List<Path> createdFolders = new ArrayList<>();
  private final Map<JobFile, Path> temps = new EnumMap<>(JobFile.class);
  private long bytes;
  // Set for a worker that may only add new jobs: nothing stored under the job may be replaced.
  private final Optional<Worker> addOnly;
  // Throws when the uploading worker may not write the job now (a coordinator lease).
  private final Runnable claim;

  Staging(
      JobRef ref,
      SiteLayout layout,
      JobFileCheck check,
      RunLocks locks,
      CommitJournal journal,
      Optional<Worker> addOnly,
      Runnable claim) {
    this.addOnly = addOnly;
    this.claim = claim;
    this.ref = ref;
    this.layout = layout;
    this.check = check;
    this.lock = locks.job(ref);
    this.journal = journal;
    this.run = locks.use(ref.host(), ref.run());
  }

  @Override
  public JobRef ref() {
    return ref;
  }

  private Path target(JobFile kind) {
    return layout.path(ref.file(kind));
  }

  private String source(JobFile kind) {
    return kind.fileName(ref.job());
  }

  /** Streams {@code body} into a temp file for {@code kind}; a second one is bad input. */
  long receive(JobFile kind, InputStream body) throws IOException {
    if (temps.containsKey(kind)) {
      throw new BadInput("the " + kind.kind() + " file (" + source(kind) + ") was sent twice");
    }
    createFolders();
    Path temp = AtomicFiles.createTemp(target(kind));
    temps.put(kind, temp);
    long n;
    try (OutputStream out = Files.newOutputStream(temp, StandardOpenOption.WRITE)) {
      n = body.transferTo(out);
    }
    bytes += n;
    return n;
  }

  long bytes() {
    return bytes;
  }

  private void createFolders() throws IOException {
    if (!createdFolders.isEmpty() || !temps.isEmpty()) {
      return;
    }
    Path run = layout.path(ref.runDir());
    for (Path dir : List.of(run.getParent(), run)) {
      if (!Files.isDirectory(dir)) {
        layout.requireNotAFile(dir);
        Files.createDirectories(dir);
        createdFolders.add(0, dir);
      }
    }
  }

  /** Fails unless all three files were received. */
  void requireAll() {
    for (JobFile kind : JobFile.values()) {
      if (!temps.containsKey(kind)) {
        throw new BadInput(
            "part '" + kind.kind() + "' (the job's " + kind.extension() + " file) is missing");
      }
    }
  }

  /**
   * Validates what was received and commits it; with a JSON file the job is complete and {@code
   * committed} is told. A JSON file without a tsv in this upload uses the stored tsv; a tsv without
   * a JSON file, when the job's JSON is stored, updates the stored job.
   */
  @Override
  public Optional<StoredJob> commit(Committed committed) throws IOException {
    return commit(validate(), committed);
  }

  @Override
  public Optional<Released> release() throws IOException {
    Optional<StoredJob> job = validate();
    if (job.isEmpty()) {
      return Optional.empty();
    }
    lock.lock();
    try {
      requireWritable();
      for (Path temp : temps.values()) {
        AtomicFiles.sync(temp);
      }
      Released released = new Released(job.get(), temps);
      temps.clear();
      return Optional.of(released);
    } finally {
      lock.unlock();
    }
  }

  private Optional<StoredJob> commit(Optional<StoredJob> job, Committed committed)
      throws IOException {
    lock.lock();
    try {
      requireWritable();
      for (Path temp : temps.values()) {
        AtomicFiles.sync(temp);
      }
      journal.begin(ref, temps);
      // From here on the journal owns the staged files: the commit completes, now or at start.
      Map<JobFile, Path> staged = new EnumMap<>(temps);
      temps.clear();
      createdFolders.clear();
      try {
        journal.rollForward(ref, staged);
      } catch (IOException e) {
        rollForwardAgain(staged, e);
      }
      if (job.isPresent()) {
        tell(committed, job.get());
      }
      // Only now: a crash before this leaves the manifest, and the next start fires the job's
      // hooks, which telling the site spooled or not (CommitJournal).
      journal.end(ref);
      return job;
    } finally {
      lock.unlock();
    }
  }

  /**
   * 409 when the job is claimed by another (a coordinator job whose lease the worker does not
   * hold); for a worker that may only add new jobs, 403 when any file of the job is stored. Checked
   * before the body is read (so a refused upload is not read in vain) and again under the job's
   * lock.
   */
  void requireWritable() {
    claim.run();
    if (addOnly.isEmpty()) {
      return;
    }
    for (JobFile kind : JobFile.values()) {
      if (Files.exists(target(kind))) {
        throw HttpError.forbidden(
            "worker '"
                + addOnly.get().name()
                + "' may only add new jobs (scope "
                + Scope.addOnly(ref.host()).id()
                + "), and "
                + ref
                + " exists: publish under a new run id, or with a token of scope "
                + Scope.of(ref.host()).id()
                + " to replace it");
      }
    }
  }

  /** One more try of a failed rename, so that the answer can be the truth either way. */
  private void rollForwardAgain(Map<JobFile, Path> staged, IOException first) throws IOException {
    try {
      journal.rollForward(ref, staged);
    } catch (IOException again) {
      first.addSuppressed(again);
      throw first;
    }
  }

  /**
   * The files are stored: the upload is acknowledged whatever happens to the pages, which the next
   * change of the same pages, the next start or {@code regen} renders again.
   */
  private void tell(Committed committed, StoredJob job) {
    try {
      committed.stored(job);
    } catch (IOException e) {
      LOG.warn("{}: stored, but updating its pages failed: {}", ref, e.toString());
    }
  }

  private Optional<StoredJob> validate() throws IOException {
    if (temps.isEmpty()) {
      throw new BadInput("no file was sent for job '" + ref.job() + "'");
    }
    Path wwz = temps.get(JobFile.WWZ);
    if (wwz != null) {
      check.wwz(wwz, source(JobFile.WWZ));
    }
    Path tsv = temps.get(JobFile.TSV);
    List<TaskRow> rows = tsv == null ? List.of() : check.uploadedRows(tsv, source(JobFile.TSV));
    Path json = temps.get(JobFile.JSON);
    if (json == null) {
      return tsv == null ? Optional.empty() : storedJobWith(rows);
    }
    JobMeta meta = check.meta(json, source(JobFile.JSON), ref.job());
    if (tsv == null) {
      rows = storedRows();
    }
    return Optional.of(new StoredJob(ref, meta, rows));
  }

  /**
   * A new tsv for a job whose JSON is stored already changes what its pages show: the job is stored
   * again with it, so the pages match what {@code regen} would make of the files.
   */
  private Optional<StoredJob> storedJobWith(List<TaskRow> rows) throws IOException {
    Path stored = target(JobFile.JSON);
    if (!Files.isRegularFile(stored)) {
      return Optional.empty();
    }
    return Optional.of(
        new StoredJob(ref, check.meta(stored, source(JobFile.JSON), ref.job()), rows));
  }

  private List<TaskRow> storedRows() throws IOException {
    Path stored = target(JobFile.TSV);
    if (!Files.isRegularFile(stored)) {
      throw new BadInput(
          source(JobFile.JSON)
              + " needs "
              + source(JobFile.TSV)
              + ": send it in the same request or before");
    }
    return check.rows(stored, source(JobFile.TSV));
  }

  @Override
  public void close() throws IOException {
    try {
      for (Path temp : temps.values()) {
        Files.deleteIfExists(temp);
      }
      temps.clear();
      for (Path dir : createdFolders) {
        try {
          Files.deleteIfExists(dir);
        } catch (DirectoryNotEmptyException e) {
          // Another upload put files there meanwhile; the folder is theirs now.
        }
      }
    } finally {
      if (run != null) {
        run.close();
        run = null;
      }
    }
  }
}
