package io.soilci.server.cluster;

import io.nats.client.JetStream;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.JetStreamOptions;
import io.nats.client.PublishOptions;
import io.nats.client.PurgeOptions;
import io.nats.client.api.DiscardPolicy;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import io.nats.client.impl.NatsMessage;
import io.nats.client.support.NatsJetStreamConstants;
import io.soilci.collections.Lru;
import io.soilci.result.JobRef;
import io.soilci.result.TaskName;
import io.soilci.server.http.HttpError;
import io.soilci.server.live.LiveChanges;
import io.soilci.server.live.LiveLogs;
import io.soilci.server.live.LivePosition;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live logs of the distributed mode: every change of them (a job's start, a chunk of a task's
 * log, a task's end, a job's end) is published on the JetStream stream {@value #STREAM} (subject
 * {@code soil.live.JOB}, one per job), and every replica, the accepting one too, applies the stream
 * in order to its own {@link LiveLogs}, so any replica serves any job's whole tail and events. A
 * chunk carries its position in the task's log; it is published only if the job's subject holds no
 * message this replica has not applied ({@code Nats-Expected-Last-Subject-Sequence}), so that
 * position is the one every replica has, whichever replica got the chunks before. A replica reads
 * the stream from its first message when it starts: the messages it keeps (at most {@link #KEPT}
 * old, {@link #MAX_BYTES} in all; a job's go but its done message when it is done) give it the
 * running jobs' tails.
 */
final class ClusterLive implements LiveChanges, AutoCloseable {
  static final String STREAM = "SOIL_LIVE";
  static final String PREFIX = "soil.live.";

  /** As long as {@link LiveLogs} keeps a silent task. */
  static final Duration KEPT = Duration.ofHours(1);

  static final long MAX_BYTES = 64L << 20;

  /** Publishes of a chunk that meet a message not applied here yet, before 503. */
  private static final int ATTEMPTS = 10;

  /** How long a request waits for this replica to apply what it published (or to catch up). */
  private static final Duration APPLIED_WAIT = Duration.ofSeconds(5);

  private static final int MAX_JOBS = 4096;
  private static final int RETRY_AFTER_SECONDS = 2;
  private static final Logger LOG = LoggerFactory.getLogger(ClusterLive.class);

  private final String url;
  private final LiveLogs logs;
  private final JetStream jetStream;
  private final JetStreamManagement management;
  private final StreamFollower follower;

  /** The sequence of the last message of each job's subject applied here. */
  private final Map<JobRef, Long> lastOfJob = Lru.map(MAX_JOBS);

  private ClusterLive(ChangeStream stream, String replica, String url, LiveLogs logs)
      throws IOException {
    this.url = url;
    this.logs = logs;
    JetStreamOptions options =
        JetStreamOptions.builder().requestTimeout(Cluster.ACK_TIMEOUT).build();
    this.jetStream = stream.connection().jetStream(options);
    this.management = stream.connection().jetStreamManagement(options);
    stream.createIfMissing(
        StreamConfiguration.builder()
            .name(STREAM)
            .subjects(PREFIX + ">")
            .storageType(StorageType.File)
            .maxAge(KEPT)
            .maxBytes(MAX_BYTES)
            .discardPolicy(DiscardPolicy.Old)
            .build());
    this.follower =
        new StreamFollower(
            replica,
            "the live logs' stream " + STREAM,
            "live-logs",
            stream.source(STREAM, PREFIX + ">"),
            null,
            this::apply);
  }

  /** Makes the stream when missing and starts applying it to {@code logs}. */
  static ClusterLive open(ChangeStream stream, String replica, String url, LiveLogs logs)
      throws IOException {
    ClusterLive live = new ClusterLive(stream, replica, url, logs);
    live.follower.start();
    return live;
  }

  @Override
  public void started(JobRef job, String worker) {
    publish(LiveMessage.start(job, worker));
  }

  @Override
  public Optional<String> owner(JobRef job) {
    // Every replica applies the same start events and chunks in order: its own copy says.
    return logs.owner(job);
  }

  /**
   * Publishes the chunk at the task's end as this replica applied the stream, without the bytes its
   * tail holds already when the worker says where the chunk begins ({@code sent}): a chunk sent
   * again, to this replica or another, is kept once. A chunk held whole is not published.
   */
  @Override
  public long append(JobRef job, TaskName task, String worker, OptionalLong sent, byte[] chunk) {
    for (int attempt = 1; ; attempt++) {
      // The subject's last message first, the position second: a message applied in between
      // makes the publish fail and be tried again, never carry an old position. What the tail
      // holds only grows with the messages applied, so "held" is true whenever it is read.
      long expected = lastOf(job);
      LivePosition at = logs.position(job, task, worker);
      int held = sent.isPresent() ? logs.held(job, task, sent.getAsLong(), chunk.length) : 0;
      if (sent.isPresent() && held == chunk.length) {
        return at.offset();
      }
      LiveMessage message =
          held == 0
              ? LiveMessage.chunk(job, task, worker, at, sent, chunk)
              : LiveMessage.chunk(
                  job,
                  task,
                  worker,
                  at,
                  OptionalLong.of(sent.getAsLong() + held),
                  Arrays.copyOfRange(chunk, held, chunk.length));
      try {
        long sequence =
            jetStream
                .publish(
                    natsMessage(message),
                    PublishOptions.builder()
                        .expectedStream(STREAM)
                        .expectedLastSubjectSequence(expected)
                        .build())
                .getSeqno();
        awaitApplied(sequence);
        return at.offset() + message.chunk().length;
      } catch (JetStreamApiException e) {
        if (e.getApiErrorCode() != NatsJetStreamConstants.JS_WRONG_LAST_SEQUENCE
            || attempt == ATTEMPTS) {
          throw unavailable(message, e);
        }
        catchUp(message);
      } catch (IOException | RuntimeException e) {
        throw unavailable(message, e);
      }
    }
  }

  @Override
  public void taskEnded(JobRef job, TaskName task, int status) {
    publish(LiveMessage.taskEnd(job, task, status));
  }

  @Override
  public void drop(JobRef job, int status) {
    publish(LiveMessage.done(job, status));
    // The job's chunks are of no use any more: its done message alone stays (a replica that reads
    // the stream later drops the job's tails by it).
    try {
      management.purgeStream(STREAM, PurgeOptions.builder().subject(subject(job)).keep(1).build());
    } catch (IOException | JetStreamApiException | RuntimeException e) {
      LOG.warn("could not purge the live log of {} from {}: {}", job, STREAM, e.toString());
    }
  }

  private void publish(LiveMessage message) {
    try {
      long sequence =
          jetStream
              .publish(
                  natsMessage(message), PublishOptions.builder().expectedStream(STREAM).build())
              .getSeqno();
      awaitApplied(sequence);
    } catch (IOException | JetStreamApiException | RuntimeException e) {
      throw unavailable(message, e);
    }
  }

  /** Waits until this replica applied the job's last message in the stream. */
  private void catchUp(LiveMessage message) {
    JobRef job = message.job();
    long last;
    try {
      last = management.getLastMessage(STREAM, subject(job)).getSeq();
    } catch (JetStreamApiException e) {
      last = 0; // none left: the stream dropped them
    } catch (IOException | RuntimeException e) {
      throw unavailable(message, e);
    }
    awaitApplied(last);
    synchronized (lastOfJob) {
      if (last == 0) {
        lastOfJob.remove(job);
      } else {
        lastOfJob.merge(job, last, Math::max);
      }
    }
  }

  private void awaitApplied(long sequence) {
    try {
      if (!follower.awaitApplied(sequence, APPLIED_WAIT)) {
        LOG.warn(
            "the live logs' message {} is not applied here after {} s",
            sequence,
            APPLIED_WAIT.toSeconds());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private long lastOf(JobRef job) {
    synchronized (lastOfJob) {
      return lastOfJob.getOrDefault(job, 0L);
    }
  }

  /** Applies one message of the stream to this replica's live logs. */
  private void apply(ChangeStream.Delivered delivered) {
    LiveMessage message;
    try {
      message = LiveMessage.decode(delivered.bytes());
    } catch (RuntimeException e) {
      LOG.warn("skipped live message {}: {}", delivered.sequence(), e.getMessage());
      return;
    }
    JobRef job = message.job();
    try {
      switch (message.kind()) {
        case START -> logs.started(job, message.worker());
        case CHUNK ->
            logs.appendAt(
                job,
                task(message),
                message.worker(),
                position(message),
                message.sent(),
                message.chunk());
        case TASK_END -> logs.taskEnded(job, task(message), message.status());
        case DONE -> logs.drop(job, message.status());
      }
    } catch (HttpError e) {
      // Refused alike by every replica (a chunk of a worker that did not start the job).
      LOG.debug("live message {} refused: {}", delivered.sequence(), e.getMessage());
    }
    // After the logs changed: a chunk's position is read after its job's last sequence.
    synchronized (lastOfJob) {
      lastOfJob.merge(job, delivered.sequence(), Math::max);
    }
  }

  private static TaskName task(LiveMessage message) {
    return java.util.Objects.requireNonNull(message.task());
  }

  private static LivePosition position(LiveMessage message) {
    return java.util.Objects.requireNonNull(message.at());
  }

  private static NatsMessage natsMessage(LiveMessage message) {
    return NatsMessage.builder().subject(subject(message.job())).data(message.encode()).build();
  }

  /** The job's subject: its path in URL-safe base64 (a subject's tokens cannot hold dots). */
  static String subject(JobRef job) {
    return PREFIX
        + Base64.getUrlEncoder()
            .withoutPadding()
            .encodeToString(job.toString().getBytes(StandardCharsets.UTF_8));
  }

  private HttpError unavailable(LiveMessage message, Exception e) {
    return HttpError.busy(
        "the live logs' stream at "
            + url
            + " did not take "
            + message.kind().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-')
            + " of "
            + message.job()
            + " ("
            + e
            + "); send it again",
        RETRY_AFTER_SECONDS);
  }

  @Override
  public void close() {
    follower.close();
  }
}
