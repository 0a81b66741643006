package io.soilci.server.coordinator;

import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The distributed mode's queue: an ordered stream of proposals (each a list of the queue log's
 * records) that every replica applies in the same order ({@link Coordinator#replicated}); a single
 * box keeps its {@link QueueLog} instead.
 */
public interface QueueReplication extends AutoCloseable {
  /** Applies one message of the stream, in stream order, on the feed's thread. */
  @FunctionalInterface
  interface Applier {
    void apply(long sequence, byte[] message);
  }

  /**
   * Publishes {@code message} (JetStream drops a second copy of the same {@code id}) and returns
   * its sequence once the stream acknowledged it; throws when it did not (then it may or may not be
   * in the stream).
   */
  long publish(String id, byte[] message) throws IOException;

  /**
   * The most bytes one message may hold ({@link #publish}): nats-server's {@code max_payload}, as
   * the server connected to now announced it.
   */
  long maxMessageBytes();

  /**
   * Publishes a snapshot that replaces every message before it, accepted only while the stream's
   * last message is still {@code madeAt}; throws when it was not.
   */
  void publishSnapshot(String id, byte[] message, long madeAt) throws IOException;

  /**
   * Publishes a snapshot too large for one message of the stream ({@code snapshot}, what {@link
   * #publishSnapshot} takes): its bytes go first to the queue's object store as the object {@code
   * name}, then {@code pointer} (a small message that names it) replaces every message before it,
   * accepted only while the stream's last message is still {@code madeAt}; when it is not, the
   * object is deleted again and this throws. Once it is, every object but this one, {@code
   * previous} (the one the snapshot before named, for a replica still reading it) and those stored
   * after this one began is deleted.
   */
  void publishSnapshotObject(
      String name, byte[] snapshot, byte[] pointer, long madeAt, @Nullable String previous)
      throws IOException;

  /** The snapshot stored as the object {@code name}; empty when it is no longer stored. */
  Optional<byte[]> readSnapshotObject(String name) throws IOException;

  /** Waits until the message at {@code sequence} is applied here; false when not within timeout. */
  boolean awaitApplied(long sequence, Duration timeout) throws InterruptedException;

  /** Waits until every message in the stream now is applied here; throws when it cannot. */
  void awaitCaughtUp() throws IOException;

  /** Starts applying the stream from its start, each message in order, to {@code applier}. */
  void start(Applier applier);

  /** Whether this replica ends leases that ran out now (it holds the {@code site} role). */
  boolean expiresLeases();

  /** This replica's name: the origin of its proposals. */
  String origin();

  @Override
  void close();
}
