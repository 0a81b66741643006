package io.soilci.server.cluster;

import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.JetStreamOptions;
import io.nats.client.JetStreamSubscription;
import io.nats.client.Message;
import io.nats.client.PublishOptions;
import io.nats.client.PushSubscribeOptions;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.DeliverPolicy;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import io.nats.client.impl.Headers;
import io.nats.client.impl.NatsMessage;
import io.nats.client.support.NatsJetStreamConstants;
import io.soilci.server.coordinator.QueueReplication;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
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
 * QueueReplication.Applier}).
 */
public final class QueueStream implements QueueReplication {
  private static final Logger LOG = LoggerFactory.getLogger(QueueStream.class);
  public static final String STREAM = "SOIL_QUEUE";
  static final String SUBJECT = "soil.queue";
  private static final Duration WAIT = Duration.ofMillis(500);
  private static final long QUIET_NANOS = Duration.ofSeconds(3).toNanos();
  private static final Duration CATCH_UP = Duration.ofSeconds(10);

  private final String replica;
  private final String url;
  private final Connection connection;
  private final JetStream jetStream;
  private final JetStreamManagement management;
  private final HostLeases leases;
  private final Thread thread;
  private volatile boolean closed;
  private volatile long applied;
  private volatile long target = Long.MAX_VALUE;
  private @Nullable Applier applier;

  private QueueStream(
      String replica,
      String url,
      Connection connection,
      JetStream jetStream,
      JetStreamManagement management,
      HostLeases leases) {
    this.replica = replica;
    this.url = url;
    this.connection = connection;
    this.jetStream = jetStream;
    this.management = management;
    this.leases = leases;
    this.thread = new Thread(this::run, "soil-queue-feed");
    thread.setDaemon(true);
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
            changes.connection(),
            changes.connection().jetStream(options),
            changes.connection().jetStreamManagement(options),
            leases);
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
  public void publishSnapshot(String id, byte[] message, long madeAt) throws IOException {
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

  private long lastSequence() throws ChangeStream.Unavailable {
    try {
      return management.getStreamInfo(STREAM).getStreamState().getLastSequence();
    } catch (IOException | JetStreamApiException | RuntimeException e) {
      throw new ChangeStream.Unavailable(
          "cannot read stream " + STREAM + " at " + url + " (" + e + ")", e);
    }
  }

  @Override
  public synchronized boolean awaitApplied(long sequence, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (applied < sequence) {
      long left = deadline - System.nanoTime();
      if (left <= 0 || closed) {
        return false;
      }
      TimeUnit.NANOSECONDS.timedWait(this, left);
    }
    return true;
  }

  @Override
  public void awaitCaughtUp() throws IOException {
    long last = lastSequence();
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
    thread.start();
  }

  /** Whether this replica applied every message that was in the stream when it started. */
  public boolean ready() {
    return applied >= target;
  }

  /** Why it is not ready, for {@code /readyz}. */
  public String readiness() {
    long goal = target;
    return goal == Long.MAX_VALUE
        ? "waiting for the queue's stream to answer"
        : "catching up with the queue's stream: applied " + applied + " of " + goal;
  }

  @Override
  public boolean expiresLeases() {
    return leases.holds(HostLeases.SITE);
  }

  @Override
  public String origin() {
    return replica;
  }

  private void run() {
    while (!closed) {
      try {
        if (target == Long.MAX_VALUE) {
          target = lastSequence();
          LOG.info("replica {}: rebuilding the queue from {} messages", replica, target);
        }
        follow();
      } catch (ChangeStream.Unavailable e) {
        LOG.warn(
            "replica {}: the queue's stream is unavailable, trying again: {}",
            replica,
            e.getMessage());
        pause();
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        LOG.error("replica {}: reading the queue's stream failed, trying again", replica, e);
        pause();
      }
    }
  }

  /**
   * Applies messages as they come; returns (to subscribe again) when the stream holds messages past
   * the last applied while none arrived for a while (a consumer lost in a restart of nats-server).
   */
  private void follow() throws ChangeStream.Unavailable, InterruptedException {
    ConsumerConfiguration config =
        ConsumerConfiguration.builder()
            .deliverPolicy(DeliverPolicy.ByStartSequence)
            .startSequence(applied + 1)
            .build();
    PushSubscribeOptions options =
        PushSubscribeOptions.builder().stream(STREAM).ordered(true).configuration(config).build();
    JetStreamSubscription subscription =
        ChangeStream.subscribe(
            connection,
            jetStream,
            SUBJECT,
            options,
            "stream " + STREAM + " at " + url + " from " + (applied + 1));
    try {
      long quietSince = System.nanoTime();
      Applier into = java.util.Objects.requireNonNull(applier);
      while (!closed) {
        @Nullable Message message;
        try {
          message = subscription.nextMessage(WAIT);
        } catch (IllegalStateException e) {
          throw new ChangeStream.Unavailable("the queue's subscription ended (" + e + ")", e);
        }
        if (message != null && message.isJetStream()) {
          long sequence = message.metaData().streamSequence();
          if (sequence > applied) {
            into.apply(sequence, message.getData());
            advance(sequence);
          }
          quietSince = System.nanoTime();
        } else if (System.nanoTime() - quietSince > QUIET_NANOS) {
          quietSince = System.nanoTime();
          if (lastSequence() > applied) {
            LOG.info(
                "replica {}: the queue's stream has messages past {}: reading it again",
                replica,
                applied);
            return;
          }
        }
      }
    } finally {
      try {
        subscription.unsubscribe();
      } catch (IllegalStateException e) {
        // Closed with its connection.
      }
    }
  }

  private synchronized void advance(long sequence) {
    applied = sequence;
    notifyAll();
  }

  private void pause() {
    try {
      Thread.sleep(WAIT.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      closed = true;
    }
  }

  @Override
  public void close() {
    closed = true;
    thread.interrupt();
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
