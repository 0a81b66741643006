package io.soilci.server.cluster;

import io.soilci.result.JobRef;
import java.io.IOException;
import java.time.Instant;

/**
 * Where a change applied here goes next: nowhere on a single box ({@link #LOCAL}); to the object
 * store and the change stream in the distributed mode ({@link ClusterReplication}). Called by
 * {@link SiteChanges} only, after the change was applied here and before it is answered: an
 * exception means the change is not acknowledged (503).
 */
public interface Replication extends AutoCloseable {
  /** The single box: nothing to replicate, always ready. */
  Replication LOCAL =
      new Replication() {
        @Override
        public void awaitCaughtUp() {}

        @Override
        public void publish(Change change) {}

        @Override
        public void stored(JobRef job, Instant at) {}

        @Override
        public String origin() {
          return "local";
        }

        @Override
        public void close() {}
      };

  /**
   * Waits until this replica applied every change acknowledged so far, so that a change it accepts
   * now comes after them here too (a worker's next event, sent to another replica, never overtakes
   * its last one). Throws when the stream does not answer or this replica lags too far behind.
   */
  void awaitCaughtUp() throws IOException;

  /** Publishes an event applied here. */
  void publish(Change change) throws IOException;

  /**
   * Publishes the upload of {@code job} committed here at {@code at} (its files, then the change).
   */
  void stored(JobRef job, Instant at) throws IOException;

  /** This replica's name, the origin of the changes it publishes. */
  String origin();

  @Override
  void close();
}
