package io.soilci.server.cluster;

import io.nats.client.JetStream;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.JetStreamOptions;
import io.nats.client.ObjectStore;
import io.nats.client.PublishOptions;
import io.nats.client.api.ObjectInfo;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import io.nats.client.impl.Headers;
import io.nats.client.impl.NatsMessage;
import io.nats.client.support.NatsJetStreamConstants;
import io.soilci.server.coordinator.QueueReplication;
import io.soilci.server.nats.ObjectBuckets;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The coordinator's queue in the distributed mode: JetStream stream {@value #STREAM} (subject
 * {@value #SUBJECT}, file storage, made when missing), a stream of its own beside the site's {@link
 * ChangeStream#STREAM}: every replica rebuilds its queue from the start of this one at each start
 * (the queue is kept in memory only), while it resumes the site's stream from its saved sequence;
 * and "caught up with the queue" is one sequence number of its own. Each replica reads it in order
 * with an ordered consumer and hands every message to the coordinator ({@link
 * QueueReplication.Applier}). A snapshot too large for one message is stored in the JetStream
 * object store {@value #SNAPSHOTS} (chunked there by JetStream), and a small message naming it
 * takes its place in the stream.
 */
public final class QueueStream implements QueueReplication {
  public static final String STREAM = "SOIL_QUEUE";

  /** The object store of the snapshots too large for one message of {@link #STREAM}. */
  public static final String SNAPSHOTS = "soil-queue-snapshots";

  static final String SUBJECT = "soil.queue";
  private static final Duration CATCH_UP = Duration.ofSeconds(10);
  private static final Logger LOG = LoggerFactory.getLogger(QueueStream.class);

  private final String replica;
  private final String url;
  private final JetStream jetStream;
  private final JetStreamManagement management;
  private final HostLeases leases;
  private final StreamFollower.Source source;
  private final StreamFollower follower;
  private final ObjectStore snapshots;
  private final ChangeStream changes;
  private volatile @Nullable Applier applier;

  private QueueStream(
      String replica,
      String url,
      JetStream jetStream,
      JetStreamManagement management,
      HostLeases leases,
      StreamFollower.Source source,
      ObjectStore snapshots,
      ChangeStream changes)
      throws IOException {
    this.snapshots = snapshots;
    this.changes = changes;
    this.replica = replica;
    this.url = url;
    this.jetStream = jetStream;
    this.management = management;
    this.leases = leases;
    this.source = source;
    // Rebuilt from the start at every start: nothing saved.
    this.follower =
        new StreamFollower(
            replica,
            "the queue's stream",
            "soil-queue-feed",
            source,
            null,
            delivered ->
                Objects.requireNonNull(applier).apply(delivered.sequence(), delivered.bytes()));
  }

  /** The queue's stream on {@code changes}' connection (made when missing). */
  static QueueStream open(
      ChangeStream changes, String url, String replica, HostLeases leases, Duration ackTimeout)
      throws IOException {
    JetStreamOptions options = JetStreamOptions.builder().requestTimeout(ackTimeout).build();
    QueueStream stream =
        new QueueStream(
            replica,
            url,
            changes.connection().jetStream(options),
            changes.connection().jetStreamManagement(options),
            leases,
            changes.source(STREAM, SUBJECT),
            ObjectBuckets.open(changes.connection(), SNAPSHOTS, ackTimeout),
            changes);
    stream.createIfMissing();
    return stream;
  }

  private void createIfMissing() throws IOException {
    try {
      management.getStreamInfo(STREAM);
      return;
    } catch (JetStreamApiException e) {
      if (e.getErrorCode() != 404) {
        throw new IOException("cannot read stream " + STREAM + " at " + url + ": " + e, e);
      }
    }
    StreamConfiguration config =
        StreamConfiguration.builder()
            .name(STREAM)
            .subjects(SUBJECT)
            .storageType(StorageType.File)
            .duplicateWindow(Duration.ofMinutes(ChangeStream.DUPLICATE_WINDOW_MINUTES))
            // A snapshot replaces every message before it (Nats-Rollup: all).
            .allowRollup(true)
            .build();
    try {
      management.addStream(config);
    } catch (JetStreamApiException e) {
      try {
        management.getStreamInfo(STREAM); // another replica made it meanwhile
      } catch (JetStreamApiException again) {
        throw new IOException("cannot create stream " + STREAM + " at " + url + ": " + e, e);
      }
    }
  }

  @Override
  public long publish(String id, byte[] message) throws IOException {
    NatsMessage built = NatsMessage.builder().subject(SUBJECT).data(message).build();
    PublishOptions options = PublishOptions.builder().messageId(id).expectedStream(STREAM).build();
    try {
      return jetStream.publish(built, options).getSeqno();
    } catch (IOException | JetStreamApiException | RuntimeException e) {
      throw new ChangeStream.Unavailable(
          "the queue's stream "
              + STREAM
              + " at "
              + url
              + " did not acknowledge "
              + id
              + " ("
              + e
              + ")",
          e);
    }
  }

  @Override
  public long maxMessageBytes() {
    return changes.maxPayload();
  }

  @Override
  public void publishSnapshot(String id, byte[] message, long madeAt) throws IOException {
    publishRollup(id, message, madeAt);
  }

  @Override
  public void publishSnapshotObject(
      String name, byte[] snapshot, byte[] pointer, long madeAt, @Nullable String previous)
      throws IOException {
    ObjectInfo stored;
    try {
      stored = snapshots.put(name, snapshot);
    } catch (IOException | JetStreamApiException | NoSuchAlgorithmException | RuntimeException e) {
      throw new ChangeStream.Unavailable(
          "the snapshot of "
              + STREAM
              + " at sequence "
              + madeAt
              + " was not stored in "
              + SNAPSHOTS
              + " ("
              + e
              + ")",
          e);
    }
    try {
      publishRollup(name, pointer, madeAt);
    } catch (IOException e) {
      delete(name, "its snapshot was not taken");
      throw e;
    }
    try {
      List<ObjectInfo> objects = snapshots.getList();
      for (ObjectInfo object : objects) {
        String other = object.getObjectName();
        if (!object.isDeleted()
            && !other.equals(name)
            && !other.equals(previous)
            && object.getModified().isBefore(stored.getModified())) {
          delete(other, "the snapshot " + name + " replaced it");
        }
      }
    } catch (IOException | JetStreamApiException | RuntimeException e) {
      LOG.warn(
          "queue: the snapshots before {} are not deleted from {} yet: {}",
          name,
          SNAPSHOTS,
          e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void delete(String name, String why) {
    try {
      snapshots.delete(name);
      LOG.info("queue: deleted {} from {}: {}", name, SNAPSHOTS, why);
    } catch (IOException | JetStreamApiException | RuntimeException e) {
      LOG.warn("queue: {} not deleted from {} ({}): {}", name, SNAPSHOTS, why, e.toString());
    }
  }

  @Override
  public Optional<byte[]> readSnapshotObject(String name) throws IOException {
    try {
      ObjectInfo info = snapshots.getInfo(name);
      if (info == null || info.isDeleted()) {
        return Optional.empty();
      }
      ByteArrayOutputStream bytes =
          new ByteArrayOutputStream((int) Math.min(info.getSize(), 64L << 20));
      snapshots.get(name, bytes);
      return Optional.of(bytes.toByteArray());
    } catch (JetStreamApiException | NoSuchAlgorithmException | RuntimeException e) {
      throw new ChangeStream.Unavailable(
          "the snapshot "
              + name
              + " of "
              + STREAM
              + " was not read from "
              + SNAPSHOTS
              + " ("
              + e
              + ")",
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while reading the snapshot " + name, e);
    }
  }

  /**
   * Publishes {@code message}, which replaces every message before it ({@code Nats-Rollup: all}),
   * accepted only while the stream's last message is still {@code madeAt}.
   */
  private void publishRollup(String id, byte[] message, long madeAt) throws IOException {
    Headers headers =
        new Headers().put(NatsJetStreamConstants.ROLLUP_HDR, NatsJetStreamConstants.ROLLUP_HDR_ALL);
    NatsMessage built =
        NatsMessage.builder().subject(SUBJECT).headers(headers).data(message).build();
    PublishOptions options =
        PublishOptions.builder()
            .messageId(id)
            .expectedStream(STREAM)
            .expectedLastSequence(madeAt)
            .build();
    try {
      jetStream.publish(built, options);
    } catch (IOException | JetStreamApiException | RuntimeException e) {
      throw new ChangeStream.Unavailable(
          "the snapshot of " + STREAM + " at sequence " + madeAt + " was not taken (" + e + ")", e);
    }
  }

  @Override
  public boolean awaitApplied(long sequence, Duration timeout) throws InterruptedException {
    return follower.awaitApplied(sequence, timeout);
  }

  @Override
  public void awaitCaughtUp() throws IOException {
    long last = source.last();
    try {
      if (!awaitApplied(last, CATCH_UP)) {
        throw new IOException(
            "replica "
                + replica
                + " has not applied the queue's stream up to "
                + last
                + " within "
                + CATCH_UP.toSeconds()
                + " s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while catching up with the queue's stream", e);
    }
  }

  @Override
  public void start(Applier applier) {
    this.applier = applier;
    follower.start();
  }

  /** Whether this replica applied every message that was in the stream when it started. */
  public boolean ready() {
    return follower.ready();
  }

  /** Why it is not ready, for {@code /readyz}. */
  public String readiness() {
    return follower.readiness();
  }

  @Override
  public boolean expiresLeases() {
    return leases.holds(HostLeases.SITE);
  }

  @Override
  public String origin() {
    return replica;
  }

  @Override
  public void close() {
    follower.close();
  }
}
