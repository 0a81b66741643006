package io.soilci.server.cluster;

import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.JetStreamOptions;
import io.nats.client.JetStreamSubscription;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.PublishOptions;
import io.nats.client.PushSubscribeOptions;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.DeliverPolicy;
import io.nats.client.api.PublishAck;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import io.nats.client.impl.NatsMessage;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The stream of committed changes on NATS JetStream: stream {@value #STREAM}, subjects {@code
 * soil.changes.HOST}, file storage (created when missing), and beside it the pages' stream {@value
 * #PAGES_STREAM}. {@link #publish} returns only once the server acknowledged the change as stored;
 * a change published twice with the same id within the duplicate window ({@value
 * #DUPLICATE_WINDOW_MINUTES} minutes) is stored once. {@link #feed} reads the changes in order from
 * a sequence number.
 */
public final class ChangeStream implements AutoCloseable {
  public static final String STREAM = "SOIL_CHANGES";
  static final String SUBJECTS_PREFIX = "soil.changes.";
  static final int DUPLICATE_WINDOW_MINUTES = 10;

  /**
   * The stream of the role holders' announcements of the pages they put in the bucket (subjects
   * {@code soil.pages.ROLE}), each kept {@link #PAGES_KEPT}: every other replica fetches those
   * pages into its folder ({@link PageFollower}).
   */
  public static final String PAGES_STREAM = "SOIL_PAGES";

  static final String PAGES_PREFIX = "soil.pages.";
  static final Duration PAGES_KEPT = Duration.ofDays(7);

  private final Connection connection;
  private final JetStream jetStream;
  private final JetStreamManagement management;
  private final String url;

  private ChangeStream(Connection connection, Duration ackTimeout, String url) throws IOException {
    this.connection = connection;
    this.url = url;
    JetStreamOptions options = JetStreamOptions.builder().requestTimeout(ackTimeout).build();
    this.jetStream = connection.jetStream(options);
    this.management = connection.jetStreamManagement(options);
  }

  /**
   * Connects to {@code url} ({@code nats://HOST:PORT}) as replica {@code replica} and creates the
   * stream when missing. The connection reconnects by itself for ever; while it is down a publish
   * fails at once (nothing is buffered to be sent later behind the caller's back).
   */
  public static ChangeStream connect(String url, String replica, Duration ackTimeout)
      throws IOException {
    Options options =
        new Options.Builder()
            .server(url)
            .connectionName("soil-server " + replica)
            .maxReconnects(-1)
            .reconnectWait(Duration.ofMillis(250))
            .connectionTimeout(Duration.ofSeconds(5))
            .reconnectBufferSize(0)
            .build();
    Connection connection;
    try {
      connection = Nats.connect(options);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while connecting to " + url, e);
    } catch (IOException e) {
      throw new IOException(
          "cannot connect to the change stream at "
              + url
              + " ("
              + e.getMessage()
              + "): start nats-server with JetStream (-js) there, or fix distributed.events",
          e);
    }
    ChangeStream stream = new ChangeStream(connection, ackTimeout, url);
    try {
      stream.createIfMissing();
    } catch (IOException | RuntimeException e) {
      stream.close();
      throw e;
    }
    return stream;
  }

  /** The connection, shared with {@link HostLeases}. */
  Connection connection() {
    return connection;
  }

  /**
   * The most bytes of a message nats-server takes (its {@code max_payload}, 1 MiB by default), as
   * it told this connection; 1 MiB while it has not told.
   */
  long maxPayload() {
    long max = connection.getMaxPayload();
    return max > 0 ? max : 1 << 20;
  }

  private void createIfMissing() throws IOException {
    createIfMissing(
        StreamConfiguration.builder()
            .name(STREAM)
            .subjects(SUBJECTS_PREFIX + ">")
            .storageType(StorageType.File)
            .duplicateWindow(Duration.ofMinutes(DUPLICATE_WINDOW_MINUTES))
            .build());
    createIfMissing(
        StreamConfiguration.builder()
            .name(PAGES_STREAM)
            .subjects(PAGES_PREFIX + ">")
            .storageType(StorageType.File)
            .maxAge(PAGES_KEPT)
            .build());
  }

  /** Creates the stream {@code config} describes unless it exists (any config of it). */
  void createIfMissing(StreamConfiguration config) throws IOException {
    String name = config.getName();
    try {
      management.getStreamInfo(name);
      return;
    } catch (JetStreamApiException e) {
      if (e.getErrorCode() != 404) {
        throw new IOException("cannot read stream " + name + " at " + url + ": " + e, e);
      }
    }
    try {
      management.addStream(config);
    } catch (JetStreamApiException e) {
      // Another replica made it meanwhile: fine when it is there now.
      try {
        management.getStreamInfo(name);
      } catch (JetStreamApiException again) {
        throw new IOException("cannot create stream " + name + " at " + url + ": " + e, e);
      }
    }
  }

  /**
   * Publishes {@code change} with its id ({@link Change#id}) and waits for the server's
   * acknowledgement; returns its sequence number in the stream (that of the first copy when it was
   * a duplicate). Throws {@link Unavailable} when it was not acknowledged: then the change may or
   * may not be in the stream, and the caller answers that it is not acknowledged.
   */
  public long publish(Change change) throws Unavailable {
    NatsMessage message =
        NatsMessage.builder().subject(change.subject()).data(change.encode()).build();
    PublishOptions options =
        PublishOptions.builder().messageId(change.id()).expectedStream(STREAM).build();
    try {
      PublishAck ack = jetStream.publish(message, options);
      return ack.getSeqno();
    } catch (IOException | JetStreamApiException | RuntimeException e) {
      throw new Unavailable(
          "the change stream at "
              + url
              + " did not acknowledge "
              + change.kind()
              + " of "
              + change.job()
              + " ("
              + e
              + ")",
          e);
    }
  }

  /** The sequence number of the last change in the stream (0 when empty). */
  public long lastSequence() throws Unavailable {
    return lastSequence(STREAM);
  }

  private long lastSequence(String stream) throws Unavailable {
    try {
      return management.getStreamInfo(stream).getStreamState().getLastSequence();
    } catch (IOException | JetStreamApiException | RuntimeException e) {
      throw new Unavailable("cannot read stream " + stream + " at " + url + " (" + e + ")", e);
    }
  }

  /** The changes from sequence {@code from} on, in order (an ordered consumer of its own). */
  public Feed feed(long from) throws Unavailable {
    return feed(STREAM, SUBJECTS_PREFIX + ">", from);
  }

  private Feed feed(String stream, String subjects, long from) throws Unavailable {
    ConsumerConfiguration config =
        ConsumerConfiguration.builder()
            .deliverPolicy(DeliverPolicy.ByStartSequence)
            .startSequence(Math.max(1, from))
            .build();
    PushSubscribeOptions options =
        PushSubscribeOptions.builder().stream(stream).ordered(true).configuration(config).build();
    return new Feed(
        stream,
        subscribe(
            connection,
            jetStream,
            subjects,
            options,
            "stream " + stream + " at " + url + " from " + from));
  }

  /**
   * An ordered subscription to {@code subject} with {@code options}, made only while the connection
   * is up: jnats 2.20 leaks the heartbeat timer's thread of every ordered subscribe that fails
   * during a reconnect, so a reader that tried again each second while nats-server was down grew by
   * a thread a second. At most the one attempt that meets a connection just lost can leak.
   *
   * @param what the stream and where it is read from, for the message when it cannot be read
   */
  static JetStreamSubscription subscribe(
      Connection connection,
      JetStream jetStream,
      String subject,
      PushSubscribeOptions options,
      String what)
      throws Unavailable {
    Connection.Status status = connection.getStatus();
    if (status != Connection.Status.CONNECTED) {
      throw new Unavailable(
          "cannot read " + what + ": not connected to nats-server (" + status + ")", null);
    }
    try {
      return jetStream.subscribe(subject, options);
    } catch (IOException | JetStreamApiException | RuntimeException e) {
      throw new Unavailable("cannot read " + what + " (" + e + ")", e);
    }
  }

  /**
   * Publishes an announcement of pages ({@link PageAnnouncement}) of {@code role} on the pages'
   * stream {@value #PAGES_STREAM} and waits for its acknowledgement.
   */
  long publishPages(String role, byte[] announcement) throws Unavailable {
    NatsMessage message =
        NatsMessage.builder().subject(PAGES_PREFIX + role).data(announcement).build();
    try {
      return jetStream
          .publish(message, PublishOptions.builder().expectedStream(PAGES_STREAM).build())
          .getSeqno();
    } catch (IOException | JetStreamApiException | RuntimeException e) {
      throw new Unavailable(
          "the pages' stream at " + url + " did not acknowledge pages of " + role + " (" + e + ")",
          e);
    }
  }

  /** The pages' stream, read as {@link #feed} reads the changes. */
  StreamFollower.Source pages() {
    return source(PAGES_STREAM, PAGES_PREFIX + ">");
  }

  /** The changes' stream, for a {@link StreamFollower}. */
  StreamFollower.Source changes() {
    return source(STREAM, SUBJECTS_PREFIX + ">");
  }

  /**
   * {@code stream}'s messages on {@code subjects}, on this connection, for a {@link
   * StreamFollower}.
   */
  StreamFollower.Source source(String stream, String subjects) {
    return new StreamFollower.Source() {
      @Override
      public Feed from(long sequence) throws Unavailable {
        return feed(stream, subjects, sequence);
      }

      @Override
      public long last() throws Unavailable {
        return lastSequence(stream);
      }

      @Override
      public long first() throws Unavailable {
        try {
          return management.getStreamInfo(stream).getStreamState().getFirstSequence();
        } catch (IOException | JetStreamApiException | RuntimeException e) {
          throw new Unavailable("cannot read stream " + stream + " at " + url + " (" + e + ")", e);
        }
      }
    };
  }

  @Override
  public void close() {
    try {
      connection.close();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** One change read from the stream: its sequence number and bytes. */
  public record Delivered(long sequence, byte[] bytes) {}

  /** Changes in stream order; one reader. */
  public static final class Feed implements AutoCloseable {
    private final String stream;
    private final JetStreamSubscription subscription;

    private Feed(String stream, JetStreamSubscription subscription) {
      this.stream = stream;
      this.subscription = subscription;
    }

    /** The next change, or empty when none came within {@code wait}. */
    public Optional<Delivered> next(Duration wait) throws Unavailable, InterruptedException {
      @Nullable Message message;
      try {
        message = subscription.nextMessage(wait);
      } catch (IllegalStateException e) {
        throw new Unavailable("the subscription to stream " + stream + " ended (" + e + ")", e);
      }
      if (message == null || !message.isJetStream()) {
        return Optional.empty();
      }
      return Optional.of(new Delivered(message.metaData().streamSequence(), message.getData()));
    }

    @Override
    public void close() {
      try {
        subscription.unsubscribe();
      } catch (IllegalStateException e) {
        // Already closed with its connection.
      }
    }
  }

  /** The stream did not answer (down, restarting, or too slow). */
  public static final class Unavailable extends IOException {
    private static final long serialVersionUID = 1L;

    Unavailable(String message, @Nullable Throwable cause) {
      super(message, cause);
    }
  }
}
