package io.soilci.server.cluster;

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

  /** How long a request waits for this replica's feed to apply the change it published. */
  static final Duration APPLY = Duration.ofSeconds(10);

  private final String replica;
  private final ChangeStream stream;
  private final ObjectStore bucket;
  private final SiteLayout layout;
  private final RunLocks locks;
  private final Applied applied;
  private final OwnChanges own;

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
      OwnChanges own) {
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
    return sequence;
  }

  @Override
  public Optional<StoredJob> store(StagedUpload upload, Instant at, StagedUpload.Committed here)
      throws IOException {
    Optional<StagedUpload.Released> released = upload.release();
    if (released.isEmpty()) {
      return Optional.empty();
    }
    StoredJob job = released.get().job();
    Map<JobFile, Path> staged = released.get().files();
    Change change;
    try {
      change = put(job.ref(), staged, at);
    } catch (IOException e) {
      delete(staged);
      throw new NotApplied(
          job.ref() + ": not stored, the object store did not take its files (" + e + ")", e);
    } catch (RuntimeException e) {
      delete(staged);
      throw e;
    }
    OwnChanges.Pending pending = own.expect(change, staged);
    try {
      long sequence = publishAndAwait(change, pending);
      if (!pending.applied() && !current(job.ref(), change)) {
        // The stream took it as a duplicate of an earlier copy of the same files, applied before
        // a later upload of the job replaced them: sent again, as a message of its own.
        Change again = change.with(ChangeKinds.AGAIN_AFTER, Long.toString(sequence));
        OwnChanges.Pending second = own.expect(again, pending.takeBack());
        try {
          publishAndAwait(again, second);
        } finally {
          own.forget(again, second);
        }
      }
    } finally {
      own.forget(change, pending);
    }
    return Optional.of(job);
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
   * Puts the job's files in the object store, wwz, tsv, JSON last: those of this upload from their
   * temp files, the others as stored here (read under the job's lock: a later upload may replace
   * them as soon as it is released); returns the change that names them.
   */
  private Change put(JobRef job, Map<JobFile, Path> staged, Instant at) throws IOException {
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
    for (JobFile kind : JobFile.values()) { // wwz, tsv, JSON last
      Path file = staged.get(kind);
      byte[] bytes = stored.get(kind);
      if (file != null) {
        hashes.add(ReplicaFeed.sha256(file));
        bucket.put(job.file(kind), file, contentType(kind));
      } else if (bytes != null) {
        hashes.add(Change.sha256(bytes));
        bucket.put(job.file(kind), bytes, contentType(kind));
      } else {
        hashes.add(ABSENT);
      }
    }
    return Change.of(
        ChangeKinds.STORED,
        replica,
        job,
        at.toEpochMilli(),
        Map.of(
            ChangeKinds.FILES_SHA256,
            String.join("+", hashes),
            ChangeKinds.JSON_MODIFIED,
            Long.toString(jsonModified)));
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
