package io.soilci.server.cluster;

import io.soilci.result.JobFile;
import io.soilci.result.JobRef;
import io.soilci.result.SiteLayout;
import io.soilci.server.site.RunLocks;
import io.soilci.server.storage.ObjectStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The distributed mode's {@link Replication}: an upload's three files are put in the shared object
 * store (wwz, tsv, JSON last) and then its change is published; an event's change is published.
 * Both return only once the stream acknowledged the change.
 */
public final class ClusterReplication implements Replication {
  /** A job file absent here (a {@code /wwup} job without a wwz): its hash in a change. */
  static final String ABSENT = "-";

  /** How long a request waits for this replica to catch up with the stream. */
  private static final Duration CATCH_UP = Duration.ofSeconds(10);

  private final String replica;
  private final ChangeStream stream;
  private final ObjectStore bucket;
  private final SiteLayout layout;
  private final RunLocks locks;
  private final Applied applied;

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
      Applied applied) {
    this.applied = applied;
    this.replica = replica;
    this.stream = stream;
    this.bucket = bucket;
    this.layout = layout;
    this.locks = locks;
  }

  @Override
  public void awaitCaughtUp() throws IOException {
    long last = stream.lastSequence();
    try {
      if (!applied.await(last, CATCH_UP)) {
        throw new IOException(
            "replica "
                + replica
                + " has not applied the stream up to change "
                + last
                + " within "
                + CATCH_UP.toSeconds()
                + " s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while catching up with the stream", e);
    }
  }

  @Override
  public void publish(Change change) throws IOException {
    stream.publish(change);
  }

  @Override
  public void stored(JobRef job, Instant at) throws IOException {
    // The three files of one upload, read under the job's lock: a later upload may replace them
    // as soon as it is released.
    Map<JobFile, byte[]> files = new EnumMap<>(JobFile.class);
    long jsonModified;
    ReentrantLock lock = locks.job(job);
    lock.lock();
    try {
      for (JobFile kind : JobFile.values()) {
        try {
          files.put(kind, Files.readAllBytes(layout.path(job.file(kind))));
        } catch (NoSuchFileException e) {
          // Not part of this job (a /wwup upload may lack its wwz).
        }
      }
      jsonModified =
          Files.getLastModifiedTime(layout.path(job.file(JobFile.JSON)))
              .toInstant()
              .getEpochSecond();
    } finally {
      lock.unlock();
    }
    List<String> hashes = new ArrayList<>();
    for (JobFile kind : JobFile.values()) {
      byte[] bytes = files.get(kind);
      hashes.add(bytes == null ? ABSENT : Change.sha256(bytes));
    }
    for (JobFile kind : JobFile.values()) { // wwz, tsv, JSON last
      byte[] bytes = files.get(kind);
      if (bytes != null) {
        bucket.put(job.file(kind), bytes, contentType(kind));
      }
    }
    stream.publish(
        Change.of(
            ChangeKinds.STORED,
            replica,
            job,
            at.toEpochMilli(),
            Map.of(
                ChangeKinds.FILES_SHA256,
                String.join("+", hashes),
                ChangeKinds.JSON_MODIFIED,
                Long.toString(jsonModified))));
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
