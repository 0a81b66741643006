package io.soilci.server.cluster;

import io.soilci.files.AtomicFiles;
import io.soilci.threads.Daemons;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One reader of one JetStream stream, on a thread of its own: every message in order from the
 * sequence after the last one handled, which it keeps in a file (written atomically at most once a
 * second and at stop; a restart resumes there). A stream that does not answer is tried again every
 * 0.5 s; a reader that receives nothing for 3 s while the stream holds messages past its sequence
 * subscribes again from there (a consumer lost in a restart of nats-server). What a message means
 * is its {@link Handler}'s: the change feed ({@link ReplicaFeed}) and the page follower ({@link
 * PageFollower}) and the coordinator's queue ({@link QueueStream}, which saves nothing: it rebuilds
 * from the stream's start) share this loop.
 */
final class StreamFollower implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(StreamFollower.class);
  static final Duration WAIT = Duration.ofMillis(500);
  private static final long SAVE_EVERY_NANOS = Duration.ofSeconds(1).toNanos();
  private static final long QUIET_NANOS = Duration.ofSeconds(3).toNanos();
  private static final Duration CLOSE_WAIT = Duration.ofSeconds(10);

  /** Where the messages come from. */
  interface Source {
    /** The messages from {@code sequence} on, in order. */
    ChangeStream.Feed from(long sequence) throws ChangeStream.Unavailable;

    /** The sequence of the stream's last message (0 when empty). */
    long last() throws ChangeStream.Unavailable;

    /**
     * The sequence of the stream's first message kept (the last one's plus 1 when it keeps none).
     */
    long first() throws ChangeStream.Unavailable;
  }

  /**
   * Told that the messages after sequence {@code after} and before {@code next} are gone from the
   * stream (its maximum age removed them while this reader was away): what they said must be found
   * another way, before the messages from {@code next} on are handled.
   */
  @FunctionalInterface
  interface Gap {
    void missed(long after, long next) throws InterruptedException;
  }

  /** What is done with each message, in order; it returns once it is done with it. */
  @FunctionalInterface
  interface Handler {
    void handle(ChangeStream.Delivered delivered) throws InterruptedException;
  }

  private final String replica;
  private final String what;
  private final Source source;
  private final @Nullable Path savedFile;
  private final Handler handler;
  private final @Nullable Gap gap;
  private final Thread thread;
  private volatile boolean closed;
  private volatile long applied;
  private volatile long target = Long.MAX_VALUE;
  private long savedSequence;
  private long savedAt;

  /**
   * A reader of {@code source} ({@code what}, for logs: "the change stream") that hands each
   * message to {@code handler}, resuming after the sequence saved in {@code savedFile}.
   */
  StreamFollower(
      String replica,
      String what,
      String threadName,
      Source source,
      @Nullable Path savedFile,
      Handler handler)
      throws IOException {
    this(replica, what, threadName, source, savedFile, handler, null);
  }

  /**
   * As above, for a stream whose messages expire: {@code gap} is told of the messages that expired
   * before this reader handled them.
   */
  StreamFollower(
      String replica,
      String what,
      String threadName,
      Source source,
      @Nullable Path savedFile,
      Handler handler,
      @Nullable Gap gap)
      throws IOException {
    this.gap = gap;
    this.replica = replica;
    this.what = what;
    this.source = source;
    this.savedFile = savedFile;
    this.handler = handler;
    this.applied = readSaved(savedFile);
    this.savedSequence = applied;
    this.thread = Daemons.of(threadName, this::run);
  }

  void start() {
    thread.start();
  }

  /**
   * Before {@link #start}: reads again from the message after {@code sequence} when that is before
   * the one after the last handled (the handler must take a message twice).
   */
  void rewind(long sequence) {
    if (sequence < applied) {
      applied = sequence;
    }
  }

  /** The last sequence handled. */
  long applied() {
    return applied;
  }

  /** Whether every message that was in the stream when this reader started is handled. */
  boolean ready() {
    return applied >= target;
  }

  /** Why it is not ready, for {@code /readyz}. */
  String readiness() {
    long goal = target;
    return goal == Long.MAX_VALUE
        ? "waiting for " + what + " to answer"
        : "catching up with " + what + ": applied " + applied + " of " + goal;
  }

  /** Whether {@link #close} was called. */
  boolean closed() {
    return closed;
  }

  private static long readSaved(@Nullable Path file) throws IOException {
    if (file == null) {
      return 0;
    }
    try {
      String text = Files.readString(file, StandardCharsets.UTF_8).trim();
      return Long.parseLong(text);
    } catch (NoSuchFileException e) {
      return 0;
    } catch (NumberFormatException e) {
      throw new IOException(
          file
              + " must hold the last stream sequence applied, a number; delete it to apply the"
              + " whole stream again (idempotent, but slow)",
          e);
    }
  }

  private void run() {
    while (!closed) {
      try {
        if (target == Long.MAX_VALUE) {
          target = source.last();
          LOG.info("replica {}: applied {} of {} messages of {}", replica, applied, target, what);
        }
        follow();
      } catch (ChangeStream.Unavailable e) {
        LOG.warn("replica {}: {} is unavailable, trying again: {}", replica, what, e.getMessage());
        pause();
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        LOG.error("replica {}: reading {} failed, trying again", replica, what, e);
        pause();
      }
    }
    save(true);
  }

  /**
   * Handles messages as they come; returns (to subscribe again) when the stream holds messages past
   * the last handled while none arrived for a while: a consumer lost in a restart of nats-server.
   */
  private void follow() throws ChangeStream.Unavailable, InterruptedException {
    long expected = applied + 1;
    if (gap != null) {
      long first = source.first();
      if (source.last() >= expected && first > expected) {
        missed(expected, first);
        expected = first;
      }
    }
    try (ChangeStream.Feed feed = source.from(applied + 1)) {
      long quietSince = System.nanoTime();
      while (!closed) {
        Optional<ChangeStream.Delivered> next = feed.next(WAIT);
        if (next.isPresent()) {
          ChangeStream.Delivered delivered = next.get();
          if (delivered.sequence() > applied) {
            if (gap != null && delivered.sequence() > expected) {
              missed(expected, delivered.sequence());
            }
            expected = delivered.sequence() + 1;
            handler.handle(delivered);
            advance(delivered.sequence());
          }
          quietSince = System.nanoTime();
        } else if (System.nanoTime() - quietSince > QUIET_NANOS) {
          quietSince = System.nanoTime();
          if (source.last() > applied) {
            LOG.info(
                "replica {}: {} has messages past {}: reading it again", replica, what, applied);
            save(false);
            return;
          }
        }
        save(false);
      }
    }
  }

  /** Messages {@code from} to {@code next} - 1 expired before they were handled here. */
  private void missed(long from, long next) throws InterruptedException {
    LOG.warn(
        "replica {}: messages {} to {} of {} expired before this replica read them",
        replica,
        from,
        next - 1,
        what);
    if (gap != null) {
      gap.missed(from - 1, next);
    }
  }

  private synchronized void advance(long sequence) {
    applied = sequence;
    notifyAll();
  }

  /**
   * Waits until the message at {@code sequence} is handled, at most {@code timeout}; returns
   * whether it is.
   */
  synchronized boolean awaitApplied(long sequence, Duration timeout) throws InterruptedException {
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

  private void save(boolean now) {
    long sequence = applied;
    if (savedFile == null
        || sequence == savedSequence
        || (!now && System.nanoTime() - savedAt < SAVE_EVERY_NANOS)) {
      return;
    }
    try {
      Path parent = savedFile.getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      AtomicFiles.write(savedFile, (sequence + "\n").getBytes(StandardCharsets.UTF_8));
      savedSequence = sequence;
      savedAt = System.nanoTime();
    } catch (IOException e) {
      LOG.warn(
          "replica {}: could not save the sequence {} of {}: {}",
          replica,
          sequence,
          what,
          e.toString());
    }
  }

  /** Sleeps {@link #WAIT} before a message is tried again; a close ends it. */
  void pause() {
    try {
      Thread.sleep(WAIT.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      closed = true;
    }
  }

  /** Stops reading and saves the sequence handled. */
  @Override
  public void close() {
    closed = true;
    Daemons.stop(thread, CLOSE_WAIT);
    save(true);
  }
}
