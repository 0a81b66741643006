package io.soilci.server.cluster;

import io.soilci.result.BadInput;
import io.soilci.result.JobFile;
import io.soilci.result.JobRef;
import io.soilci.result.SiteLayout;
import io.soilci.server.site.RunLocks;
import io.soilci.server.storage.ObjectStore;
import io.soilci.server.upload.StoredJob;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The distributed mode's {@link Replication}: publish first, apply in stream order everywhere, this
 * replica included. An upload's files are put in the shared object store (wwz, tsv, JSON last) and
 * its change is published; an event's change is published; then the request waits until this
 * replica's own feed applied the change at its place in the stream (an upload: committing the
 * staged files it was handed, not fetching them back). A change whose publish failed was applied
 * nowhere.
 */
public final class ClusterReplication implements Replication {
  /** A job file absent here (a {@code /wwup} job without a wwz): its hash in a change. */
  static final String ABSENT = "-";

  /** How long a request waits for this replica to catch up with the stream. */
  private static final Duration CATCH_UP = Duration.ofSeconds(10);

  /** How long an upload waits while another upload of its job holds the job's lock. */
  private static final Duration LOCK_WAIT = Duration.ofSeconds(10);

  /** How long a request waits for this replica's feed to apply the change it published. */
  static final Duration APPLY = Duration.ofSeconds(10);

  private final String replica;
  private final ChangeStream stream;
  private final ObjectStore bucket;
  private final SiteLayout layout;
  private final RunLocks locks;
  private final Applied applied;
  private final OwnChanges own;
  private final Outbox outbox;
  private final UploadLocks uploads;

  /** Where this replica's feed stands in the stream. */
  @FunctionalInterface
  interface Applied {
    /**
     * Waits until the change at {@code sequence} is applied here; false when it was not in time.
     */
    boolean await(long sequence, Duration timeout) throws InterruptedException;
  }

  ClusterReplication(
      String replica,
      ChangeStream stream,
      ObjectStore bucket,
      SiteLayout layout,
      RunLocks locks,
      Applied applied,
      OwnChanges own,
      Outbox outbox,
      UploadLocks uploads) {
    this.uploads = uploads;
    this.outbox = outbox;
    this.applied = applied;
    this.replica = replica;
    this.stream = stream;
    this.bucket = bucket;
    this.layout = layout;
    this.locks = locks;
    this.own = own;
  }

  @Override
  public void awaitCaughtUp() throws NotApplied {
    long last;
    try {
      last = stream.lastSequence();
    } catch (ChangeStream.Unavailable e) {
      throw new NotApplied(String.valueOf(e.getMessage()), e);
    }
    if (!await(last, CATCH_UP)) {
      throw new NotApplied(
          "replica "
              + replica
              + " has not applied the stream up to change "
              + last
              + " within "
              + CATCH_UP.toSeconds()
              + " s");
    }
  }

  private boolean await(long sequence, Duration timeout) throws NotApplied {
    try {
      return applied.await(sequence, timeout);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new NotApplied("interrupted while waiting for the change stream", e);
    }
  }

  @Override
  public void apply(Change change, ChangeApplier here) throws IOException {
    OwnChanges.Pending pending = own.expect(change, Map.of());
    try {
      var unused = publishAndAwait(change, pending);
    } finally {
      own.forget(change, pending);
    }
  }

  @Override
  public void publish(Change change) throws NotApplied {
    try {
      stream.publish(change);
    } catch (ChangeStream.Unavailable e) {
      throw new NotApplied(String.valueOf(e.getMessage()), e);
    }
  }

  /**
   * Publishes {@code change} and waits until this replica's feed applied it; throws the rule it
   * broke when the feed refused it. Returns its sequence in the stream.
   */
  private long publishAndAwait(Change change, OwnChanges.Pending pending) throws NotApplied {
    long sequence;
    try {
      sequence = stream.publish(change);
    } catch (ChangeStream.Unavailable e) {
      throw new NotApplied(e.getMessage() + "; it was applied nowhere", e);
    }
    awaitApplied(change, sequence, pending);
    return sequence;
  }

  /**
   * Publishes an upload's {@code change}, kept in the outbox as {@code kept} until the stream took
   * it. Returns its sequence in the stream.
   */
  private long publish(Change change, Outbox.Entry kept) throws IOException {
    long sequence;
    try {
      sequence = stream.publish(change);
    } catch (ChangeStream.Unavailable e) {
      outbox.keep(kept);
      throw new NotApplied(
          e.getMessage()
              + "; its files are in the object store, and replica "
              + replica
              + " publishes it again until the stream takes it",
          e);
    }
    outbox.published(kept);
    return sequence;
  }

  /** Waits until this replica's feed applied {@code change} at {@code sequence}. */
  private void awaitApplied(Change change, long sequence, OwnChanges.Pending pending)
      throws NotApplied {
    if (!await(sequence, APPLY)) {
      throw new NotApplied(
          change.kind()
              + " of "
              + change.job()
              + " is change "
              + sequence
              + " of the stream, but replica "
              + replica
              + " did not apply it within "
              + APPLY.toSeconds()
              + " s (its feed is behind, or waits for the object store)");
    }
    Optional<RuntimeException> refused = pending.refusal();
    if (refused.isPresent()) {
      throw refused.get();
    }
  }

  /**
   * Commits {@code upload}: under the cluster's lock of its job ({@link UploadLocks}), this replica
   * catches up with the stream, the upload is checked against what it stored (an add-only upload of
   * a job another upload stored is refused here), its change is kept in the outbox, its files are
   * put in the object store and its change is published; then, the lock given up, this replica's
   * feed commits the staged files at the change's place in the stream.
   */
  @Override
  public Optional<StoredJob> store(StagedUpload upload, Instant at, StagedUpload.Committed here)
      throws IOException {
    UploadLocks.Held lock = uploads.take(upload.ref(), LOCK_WAIT);
    Change change;
    OwnChanges.Pending pending;
    long sequence;
    StoredJob job;
    try {
      awaitCaughtUp();
      Optional<StagedUpload.Released> released = upload.release();
      if (released.isEmpty()) {
        throw incomplete(upload.ref());
      }
      job = released.get().job();
      Map<JobFile, Path> staged = released.get().files();
      Upload files;
      Outbox.Entry kept;
      try {
        files = files(job.ref(), staged, at);
        kept = outbox.hold(files.change());
      } catch (IOException | RuntimeException e) {
        delete(staged);
        throw e;
      }
      try {
        put(job.ref(), files);
      } catch (IOException e) {
        outbox.notPut(kept);
        delete(staged);
        throw new NotApplied(
            job.ref() + ": not stored, the object store did not take its files (" + e + ")", e);
      } catch (RuntimeException e) {
        outbox.notPut(kept);
        delete(staged);
        throw e;
      }
      change = files.change();
      pending = own.expect(change, staged);
      try {
        sequence = publish(change, kept);
      } catch (IOException | RuntimeException e) {
        own.forget(change, pending);
        throw e;
      }
    } finally {
      uploads.release(lock);
    }
    try {
      awaitApplied(change, sequence, pending);
      if (!pending.applied() && !current(job.ref(), change)) {
        // The stream took it as a duplicate of an earlier copy of the same files, applied before
        // a later upload of the job replaced them: sent again, as a message of its own.
        Change again = change.with(ChangeKinds.AGAIN_AFTER, Long.toString(sequence));
        OwnChanges.Pending second = own.expect(again, pending.takeBack());
        try {
          awaitApplied(again, publish(again, outbox.hold(again)), second);
        } finally {
          own.forget(again, second);
        }
      }
    } finally {
      own.forget(change, pending);
    }
    return Optional.of(job);
  }

  /**
   * A wwz or tsv sent without the JSON, for a job whose JSON is not stored: on one box it is kept
   * until a JSON completes the job; here every replica must hold the same files, and a partial job
   * is no change the others could apply (Soil's client sends the three files in one request).
   */
  private static BadInput incomplete(JobRef job) {
    String json = JobFile.JSON.fileName(job.job());
    return new BadInput(
        job
            + ": this upload completes no job ("
            + json
            + " is neither sent nor stored), and the distributed mode keeps only complete jobs, the"
            + " same on every replica: send "
            + json
            + " in the same request as the wwz and tsv");
  }

  /** Whether this replica's files of {@code job} are those {@code change} names. */
  private boolean current(JobRef job, Change change) throws IOException {
    String[] hashes = change.field(ChangeKinds.FILES_SHA256).split("\\+", -1);
    JobFile[] kinds = JobFile.values();
    for (int i = 0; i < kinds.length && i < hashes.length; i++) {
      Path file = layout.path(job.file(kinds[i]));
      if (!hashes[i].equals(ABSENT)
          && (!Files.isRegularFile(file) || !hashes[i].equals(ReplicaFeed.sha256(file)))) {
        return false;
      }
    }
    return true;
  }

  private static void delete(Map<JobFile, Path> files) throws IOException {
    for (Path file : files.values()) {
      Files.deleteIfExists(file);
    }
  }

  /**
   * An upload's files and the change that names them: those of this upload as temp files ({@code
   * staged}), the others as stored here ({@code stored}).
   */
  private record Upload(Map<JobFile, Path> staged, Map<JobFile, byte[]> stored, Change change) {}

  /**
   * The job's files to put and their change: those of this upload from their temp files, the others
   * as stored here (read under the job's lock: a later upload may replace them as soon as it is
   * released).
   */
  private Upload files(JobRef job, Map<JobFile, Path> staged, Instant at) throws IOException {
    Map<JobFile, byte[]> stored = new EnumMap<>(JobFile.class);
    long jsonModified;
    ReentrantLock lock = locks.job(job);
    lock.lock();
    try {
      for (JobFile kind : JobFile.values()) {
        if (!staged.containsKey(kind)) {
          try {
            stored.put(kind, Files.readAllBytes(layout.path(job.file(kind))));
          } catch (NoSuchFileException e) {
            // Not part of this job (a /wwup upload may lack its wwz).
          }
        }
      }
      Path json = staged.getOrDefault(JobFile.JSON, layout.path(job.file(JobFile.JSON)));
      jsonModified = Files.getLastModifiedTime(json).toInstant().getEpochSecond();
    } finally {
      lock.unlock();
    }
    List<String> hashes = new ArrayList<>();
    for (JobFile kind : JobFile.values()) {
      Path file = staged.get(kind);
      byte[] bytes = stored.get(kind);
      if (file != null) {
        hashes.add(ReplicaFeed.sha256(file));
      } else if (bytes != null) {
        hashes.add(Change.sha256(bytes));
      } else {
        hashes.add(ABSENT);
      }
    }
    Change change =
        Change.of(
            ChangeKinds.STORED,
            replica,
            job,
            at.toEpochMilli(),
            Map.of(
                ChangeKinds.FILES_SHA256,
                String.join("+", hashes),
                ChangeKinds.JSON_MODIFIED,
                Long.toString(jsonModified)));
    return new Upload(staged, stored, change);
  }

  /** Puts {@code files} in the object store, wwz, tsv, JSON last. */
  private void put(JobRef job, Upload files) throws IOException {
    for (JobFile kind : JobFile.values()) { // wwz, tsv, JSON last
      Path file = files.staged().get(kind);
      byte[] bytes = files.stored().get(kind);
      if (file != null) {
        bucket.put(job.file(kind), file, contentType(kind));
      } else if (bytes != null) {
        bucket.put(job.file(kind), bytes, contentType(kind));
      }
    }
  }

  static String contentType(JobFile kind) {
    return switch (kind) {
      case WWZ -> "application/zip";
      case TSV -> "text/tab-separated-values; charset=utf-8";
      case JSON -> "application/json";
    };
  }

  @Override
  public String origin() {
    return replica;
  }

  @Override
  public void close() {}
}
