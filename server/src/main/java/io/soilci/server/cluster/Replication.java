package io.soilci.server.cluster;

import io.soilci.server.upload.StoredJob;
import java.io.IOException;
import java.time.Instant;
import java.util.Optional;

/**
 * How a change accepted here is made: applied here at once on a single box ({@link #LOCAL});
 * published first in the distributed mode ({@link ClusterReplication}), then applied by this
 * replica's feed at its place in the stream, as on every other replica. Called by {@link
 * SiteChanges} only; {@link NotApplied} means the change is not acknowledged (503, send it again).
 */
public interface Replication extends AutoCloseable {
  /** The single box: every change applied here at once, nothing to wait for. */
  Replication LOCAL =
      new Replication() {
        @Override
        public void awaitCaughtUp() {}

        @Override
        public void apply(Change change, ChangeApplier here) throws IOException {
          here.apply(change);
        }

        @Override
        public void publish(Change change) {}

        @Override
        public Optional<StoredJob> store(
            StagedUpload upload, Instant at, StagedUpload.Committed here) throws IOException {
          return upload.commit(here);
        }

        @Override
        public String origin() {
          return "local";
        }

        @Override
        public void close() {}
      };

  /**
   * Waits until this replica applied every change acknowledged so far, so that what an upload is
   * checked against (the stored files it keeps, a job that may only be added) is what every replica
   * has. Throws when the stream does not answer or this replica lags too far behind.
   */
  void awaitCaughtUp() throws NotApplied;

  /**
   * Makes the event {@code change}: {@code here} applies it at once on a single box; in the
   * distributed mode it is published and applied by this replica's feed, returning once that is
   * done. A rule the change breaks is thrown as {@code here} would throw it.
   */
  void apply(Change change, ChangeApplier here) throws IOException;

  /** Publishes a change already applied here, without waiting for the feeds (a live log's word). */
  void publish(Change change) throws IOException;

  /**
   * Commits {@code upload} at {@code at}: here through the commit journal, {@code here} told, on a
   * single box; in the distributed mode its files go to the object store and its change to the
   * stream, and this replica's feed commits the staged files at the change's place in the stream.
   * Empty when the upload completes no job (a tsv alone): committed on a single box, refused (400)
   * in the distributed mode.
   */
  Optional<StoredJob> store(StagedUpload upload, Instant at, StagedUpload.Committed here)
      throws IOException;

  /** This replica's name, the origin of the changes it publishes. */
  String origin();

  @Override
  void close();

  /** A change not acknowledged by the stream, or not applied here in time: send it again. */
  final class NotApplied extends IOException {
    private static final long serialVersionUID = 1L;

    NotApplied(String message, Throwable cause) {
      super(message, cause);
    }

    NotApplied(String message) {
      super(message);
    }
  }
}
