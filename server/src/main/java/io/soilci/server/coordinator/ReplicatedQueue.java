package io.soilci.server.coordinator;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.soilci.server.http.HttpError;
import io.soilci.threads.Daemons;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;
import java.util.function.BiPredicate;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The distributed mode's glue between the {@link QueueState} and the queue's stream: a change is
 * proposed (published with the state it was made from) and answered once this replica's feed
 * applied it ({@link #agree}); every message of the stream is applied in order ({@link
 * #applyMessage}); agents heard are published; jobs are given out one proposal at a time on a
 * thread of their own; the holder of the site role snapshots the queue.
 */
final class ReplicatedQueue {
  private static final Logger LOG = LoggerFactory.getLogger(ReplicatedQueue.class);

  /** How many times a proposal is made again when another replica's change came first. */
  static final int MAX_PROPOSALS = 20;

  /** How long a proposal may take to be applied here before the request answers 503. */
  static final Duration APPLIED_WITHIN = Duration.ofSeconds(10);

  /**
   * The largest snapshot published as one message, below nats-server's default max_payload (1 MiB);
   * a larger one goes to the object store, and a message that names it to the stream.
   */
  static final int MAX_SNAPSHOT_BYTES = 1_000_000;

  /** Room left in a message of the stream for its headers. */
  private static final int HEADERS_ROOM = 1024;

  /** The format of the queue stream's messages. */
  static final int MESSAGE_VERSION = 1;

  /**
   * The format of a message that names a snapshot in the object store: a replica of an older
   * version skips it as a message it cannot read, rather than load it as an empty queue.
   */
  static final int SNAPSHOT_OBJECT_VERSION = 2;

  /** A change made from the queue as this replica sees it, and the answer once it is applied. */
  record Proposal<T>(List<ObjectNode> records, T answer) {}

  /** Makes a proposal under the lock; may refuse the request (an {@link HttpError}). */
  @FunctionalInterface
  interface Proposer<T> {
    Proposal<T> make();
  }

  private final QueueReplication stream;
  private final QueueState state;
  private final CoordinatorSettings settings;
  private final Clock clock;
  private final JobChanges changes;
  private final ExecutorService dispatcher;
  private final AtomicBoolean dispatchAsked = new AtomicBoolean();
  // Whether each of this replica's proposals was applied (the feed says).
  private final Map<String, Boolean> decided = new LinkedHashMap<>();
  // When each agent was last published as heard.
  private final Map<String, Long> agentPublished = new HashMap<>();
  // The stream sequence of the last message applied, and of the last snapshot with how many
  // records it held.
  private long appliedSequence;
  private long snapshotSequence;
  private long snapshotRecords;
  // The object the last snapshot applied was stored as (null: none, or one message).
  private @Nullable String snapshotObject;

  ReplicatedQueue(
      QueueReplication stream,
      QueueState state,
      CoordinatorSettings settings,
      Clock clock,
      JobChanges changes) {
    this.stream = stream;
    this.state = state;
    this.settings = settings;
    this.clock = clock;
    this.changes = changes;
    this.dispatcher = Executors.newSingleThreadExecutor(Daemons.named("soil-dispatch"));
  }

  /** Starts applying the stream from its start. */
  void start() {
    stream.start(this::applyMessage);
  }

  /** Whether this replica ends leases that ran out (it holds the {@code site} role). */
  boolean expiresLeases() {
    return stream.expiresLeases();
  }

  /**
   * Makes the proposal from the queue as it is once this replica caught up with the stream,
   * publishes it and waits until it is applied here; when another replica's change came first (its
   * state is not the one the proposal was made from), makes it again from the newer state.
   */
  <T> T agree(String what, Proposer<T> proposer) {
    for (int tries = 1; ; tries++) {
      catchUp(what);
      Proposal<T> proposal;
      synchronized (state) {
        proposal = proposer.make();
      }
      if (propose(what, proposal.records())) {
        return proposal.answer();
      }
      if (tries == MAX_PROPOSALS) {
        throw HttpError.busy(
            what
                + " was overtaken by other replicas' changes of the same jobs "
                + MAX_PROPOSALS
                + " times in a row; send it again",
            1);
      }
    }
  }

  /** Waits until this replica applied every message in the stream now, or refuses {@code what}. */
  void catchUp(String what) {
    try {
      stream.awaitCaughtUp();
    } catch (IOException e) {
      throw HttpError.busy(what + " is not taken now: " + e.getMessage() + "; send it again", 5);
    }
  }

  /**
   * Publishes {@code records} as one proposal and waits until this replica's feed applied it;
   * returns whether it was applied (false: the state it was made from had changed).
   */
  private boolean propose(String what, List<ObjectNode> records) {
    String id = stream.origin() + ":" + UUID.randomUUID();
    ObjectNode message = message(id);
    records.forEach(message.putArray("records")::add);
    try {
      byte[] bytes = QueueLog.JSON.writeValueAsBytes(message);
      // The message's headers (its ID, the stream expected) share max_payload with its bytes.
      long room = stream.maxMessageBytes() - HEADERS_ROOM;
      if (bytes.length > room) {
        throw HttpError.tooLarge(
            what
                + " makes a queue change of "
                + bytes.length
                + " bytes, more than the "
                + room
                + " one message of the queue's stream holds (nats-server's max_payload): submit"
                + " fewer or smaller jobs per request, or raise max_payload in nats-server's"
                + " configuration");
      }
      long sequence = stream.publish(id, bytes);
      if (!stream.awaitApplied(sequence, APPLIED_WITHIN)) {
        throw HttpError.busy(
            what
                + " was acknowledged by the queue's stream (sequence "
                + sequence
                + ") but not applied on replica "
                + stream.origin()
                + " within "
                + APPLIED_WITHIN.toSeconds()
                + " s; send it again",
            5);
      }
    } catch (IOException e) {
      throw HttpError.busy(
          what
              + " is not acknowledged by the queue's stream ("
              + e.getMessage()
              + "); send it again",
          5);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw HttpError.busy(what + " was interrupted; send it again", 5);
    }
    synchronized (state) {
      return Boolean.TRUE.equals(decided.remove(id));
    }
  }

  private ObjectNode message(String id) {
    ObjectNode message = JsonNodeFactory.instance.objectNode();
    message.put("version", MESSAGE_VERSION);
    message.put("origin", stream.origin());
    message.put("proposal", id);
    return message;
  }

  /**
   * Applies one message of the queue's stream, in stream order (every replica applies every
   * message, its own too): a proposal is applied whole when every record's precondition holds (a
   * {@code job} record's id is the next id; a {@code state} record's {@code rev} is one past its
   * job's), else not at all. Times come from the records, never this replica's clock.
   */
  void applyMessage(long sequence, byte[] bytes) {
    ObjectNode message = parse(bytes);
    if (message != null
        && message.path("version").asInt(-1) == SNAPSHOT_OBJECT_VERSION
        && message.path("object").isTextual()) {
      message = snapshotFromObject(sequence, message);
      if (message == null) {
        return;
      }
    }
    if (message == null || message.path("version").asInt(-1) != MESSAGE_VERSION) {
      LOG.error(
          "queue stream message {} skipped: it is not a version {} proposal (upgrade this replica"
              + " to the others' version)",
          sequence,
          MESSAGE_VERSION);
      return;
    }
    List<ObjectNode> records = new ArrayList<>();
    message.path("records").forEach(r -> records.add((ObjectNode) r));
    synchronized (state) {
      if (message.has("snapshot")) {
        loadSnapshot(message.path("snapshot").asLong(), records);
        appliedSequence = sequence;
        snapshotSequence = sequence;
        snapshotRecords = records.size();
        return;
      }
      appliedSequence = sequence;
      boolean applies = state.applies(records);
      if (applies) {
        records.forEach(state::applyRecord);
        state.pruneEnded();
      }
      if (stream.origin().equals(message.path("origin").asText())) {
        decided.put(message.path("proposal").asText(), applies);
        if (decided.size() > 10_000) {
          // Proposals whose proposer gave up waiting: forgotten, oldest first.
          decided.remove(decided.keySet().iterator().next());
        }
      }
    }
    askDispatch();
  }

  private static @Nullable ObjectNode parse(byte[] bytes) {
    try {
      return QueueLog.JSON.readTree(bytes) instanceof ObjectNode node ? node : null;
    } catch (IOException e) {
      return null;
    }
  }

  /**
   * The snapshot that {@code pointer} (at {@code sequence}) names in the object store, as the one
   * message a small snapshot is; null when there is nothing to load: this replica applied exactly
   * up to where it was made (it holds that queue already), or it is no longer stored (a later
   * snapshot, further on in the stream, replaced it). Throws when the store does not answer: the
   * message is read again.
   */
  private @Nullable ObjectNode snapshotFromObject(long sequence, ObjectNode pointer) {
    String name = pointer.path("object").asText();
    long at = pointer.path("snapshot").asLong();
    synchronized (state) {
      if (appliedSequence == at) {
        appliedSequence = sequence;
        snapshotSequence = sequence;
        snapshotRecords = pointer.path("records").asLong();
        snapshotObject = name;
        return null;
      }
    }
    Optional<byte[]> stored;
    try {
      stored = stream.readSnapshotObject(name);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    ObjectNode snapshot = stored.map(ReplicatedQueue::parse).orElse(null);
    if (snapshot == null
        || snapshot.path("version").asInt(-1) != MESSAGE_VERSION
        || snapshot.path("snapshot").asLong(-1) != at) {
      LOG.error(
          "queue stream message {} skipped: the snapshot {} it names is {} (a later snapshot"
              + " follows in the stream)",
          sequence,
          name,
          stored.isEmpty() ? "no longer stored" : "not a snapshot of sequence " + at);
      synchronized (state) {
        appliedSequence = sequence;
      }
      return null;
    }
    synchronized (state) {
      snapshotObject = name;
    }
    return snapshot;
  }

  /**
   * A snapshot made at sequence {@code at} replaced every message before it: a replica that applied
   * exactly up to {@code at} holds the same queue already; any other (started after the snapshot,
   * or behind when it was made) takes the snapshot's queue as its own.
   */
  private void loadSnapshot(long at, List<ObjectNode> records) {
    if (appliedSequence == at) {
      return;
    }
    LOG.info("queue: loading the snapshot of sequence {} ({} records)", at, records.size());
    state.loadSnapshot(records);
  }

  /**
   * On the holder of the site role: proposes the end of each lease that ran out (requeued, or lost
   * after its last attempt); once applied, a job that ended as lost goes to {@code lost}.
   */
  void expireLeases(Consumer<QueuedJob> lost) {
    changeEachDue(
        "its lease ran out",
        (job, now) -> job.state == JobState.RUNNING && now > job.leaseUntilMillis,
        changes::expired,
        job -> {
          LOG.warn(
              "job {} ({}): {}{}",
              job.id,
              job.ref,
              job.reason,
              job.state == JobState.LOST ? "; ended as lost" : "; requeued");
          if (job.state == JobState.LOST) {
            lost.accept(job);
          }
        });
  }

  /**
   * On the holder of the site role: proposes the end of each job queued again after a setup failure
   * that no agent left could take ({@link JobChanges#stranded}); once applied, it goes to {@code
   * ended}.
   */
  void endStranded(Consumer<QueuedJob> ended) {
    changeEachDue(
        "no agent is left for its setup",
        changes::stranded,
        changes::endStranded,
        job -> {
          LOG.warn("job {} ({}): {}; ended", job.id, job.ref, job.reason);
          ended.accept(job);
        });
  }

  /**
   * On the holder of the site role: proposes {@code change} (at the time it is proposed) of each
   * job {@code due} says is due, checked again when proposed (renewed or ended meanwhile: nothing
   * is proposed); each applied change's job, as that change left it, goes to {@code applied}. A
   * proposal that fails is tried again on the next tick.
   */
  private void changeEachDue(
      String why,
      BiPredicate<QueuedJob, Long> due,
      BiConsumer<QueuedJob, Long> change,
      Consumer<QueuedJob> applied) {
    if (!stream.expiresLeases()) {
      return;
    }
    List<Long> ids = new ArrayList<>();
    synchronized (state) {
      long now = clock.millis();
      for (QueuedJob job : state.jobs.values()) {
        if (due.test(job, now)) {
          ids.add(job.id);
        }
      }
    }
    for (long id : ids) {
      QueuedJob job;
      try {
        job =
            agree(
                    "the end of job " + id + " (" + why + ")",
                    () -> {
                      QueuedJob held = state.jobs.get(id);
                      long at = clock.millis();
                      if (held == null || !due.test(held, at)) {
                        return new Proposal<>(List.of(), Optional.<QueuedJob>empty());
                      }
                      ObjectNode record = JobChanges.proposed(held, j -> change.accept(j, at));
                      return new Proposal<>(List.of(record), Optional.of(held.as(record)));
                    })
                .orElse(null);
      } catch (HttpError e) {
        LOG.warn("job {}: {}; not ended yet: {}", id, why, e.getMessage());
        continue;
      }
      if (job != null) {
        applied.accept(job);
      }
    }
  }

  /**
   * On the holder of the site role: once the stream holds twice the records of the last snapshot
   * (at least 1000 messages past it), publishes the queue as it is as one message that replaces
   * every message before it ({@code Nats-Rollup: all}), accepted only while no other message came
   * after the one it was made at.
   */
  void maybeSnapshot() {
    long at;
    byte[] bytes;
    ObjectNode large = null;
    String previous = null;
    String id = stream.origin() + ":" + UUID.randomUUID();
    synchronized (state) {
      if (appliedSequence - snapshotSequence < Math.max(1_000, snapshotRecords * 2)) {
        return;
      }
      at = appliedSequence;
      ObjectNode message = message(id);
      message.put("snapshot", at);
      message.putArray("records").addAll(state.snapshot());
      try {
        bytes = QueueLog.JSON.writeValueAsBytes(message);
      } catch (IOException e) {
        throw new IllegalStateException("a snapshot did not encode as JSON", e);
      }
      if (bytes.length > MAX_SNAPSHOT_BYTES) {
        // Over what a NATS message holds by default (max_payload): the bytes go to the object
        // store, and the stream gets a message that names them.
        ObjectNode pointer = JsonNodeFactory.instance.objectNode();
        pointer.put("version", SNAPSHOT_OBJECT_VERSION);
        pointer.put("origin", stream.origin());
        pointer.put("proposal", id);
        pointer.put("snapshot", at);
        pointer.put("object", "queue-" + at + "-" + id);
        pointer.put("bytes", bytes.length);
        pointer.put("records", message.path("records").size());
        large = pointer;
        previous = snapshotObject;
      }
    }
    try {
      if (large == null) {
        stream.publishSnapshot(id, bytes, at);
      } else {
        stream.publishSnapshotObject(
            large.path("object").asText(),
            bytes,
            QueueLog.JSON.writeValueAsBytes(large),
            at,
            previous);
      }
    } catch (IOException e) {
      // Another message came after the one it was made at (or the stream did not answer): tried
      // again on the next tick.
      LOG.info("queue: no snapshot at sequence {} this time: {}", at, e.getMessage());
    }
  }

  /**
   * An agent heard: published (at most once a quarter lease, or when what it says changed), so
   * every replica knows it, for the pages and for "no other agent could take it". Called holding
   * the queue's lock.
   */
  void publishHeard(QueueState.Agent heard) {
    QueueState.Agent known = state.agents.get(heard.name());
    Long last = agentPublished.get(heard.name());
    long now = clock.millis();
    if (known != null
        && last != null
        && now - last < settings.lease().toMillis() / 4
        && known.labels().equals(heard.labels())
        && known.capacity() == heard.capacity()
        && known.address().equals(heard.address())) {
      return;
    }
    agentPublished.put(heard.name(), now);
    ObjectNode record = QueueState.agentRecord(heard);
    runOnDispatcher(
        () -> {
          try {
            propose("agent " + heard.name() + " heard", List.of(record));
          } catch (HttpError e) {
            synchronized (state) {
              agentPublished.remove(heard.name());
            }
            LOG.warn("agent {} heard, not published: {}", heard.name(), e.getMessage());
          }
        });
  }

  /** Gives queued jobs to waiting agents soon, on the dispatcher's thread. */
  void askDispatch() {
    if (dispatchAsked.compareAndSet(false, true)) {
      runOnDispatcher(
          () -> {
            dispatchAsked.set(false);
            dispatch();
          });
    }
  }

  private void runOnDispatcher(Runnable task) {
    try {
      dispatcher.execute(task);
    } catch (RejectedExecutionException e) {
      // Closing.
    }
  }

  /**
   * One job at a time on the dispatcher's thread: proposes "job N to agent A, attempt K" from the
   * job's state now; once applied, answers the agent; when another replica gave the job out first,
   * puts the agent back at its place and tries the next job.
   */
  private void dispatch() {
    for (int lost = 0; lost < MAX_PROPOSALS; ) {
      QueueState.Waiter waiter;
      QueuedJob job;
      ObjectNode record;
      synchronized (state) {
        QueueState.Match match = state.nextMatch();
        if (match == null) {
          return;
        }
        state.waiters.remove(match.at());
        waiter = match.waiter();
        job = match.job();
        state.offered.put(job.id, waiter.agent());
        long now = clock.millis();
        String agent = waiter.agent();
        record = JobChanges.proposed(job, j -> changes.given(j, agent, now));
      }
      boolean applied;
      try {
        applied = propose("job " + job.id + " to agent " + waiter.agent(), List.of(record));
      } catch (HttpError e) {
        LOG.warn("job {} stays queued: {}", job.id, e.getMessage());
        synchronized (state) {
          state.offered.remove(job.id);
          state.waiters.add(0, waiter);
        }
        return; // tried again on the next tick
      }
      ObjectNode assignment;
      synchronized (state) {
        state.offered.remove(job.id);
        if (!applied) {
          state.waiters.add(0, waiter);
          lost++;
          continue;
        }
        // The job as applied now (a snapshot loaded meanwhile makes new objects).
        assignment =
            Objects.requireNonNull(state.jobs.get(job.id), "a job just given out")
                .assignment(settings.lease().toSeconds());
      }
      waiter.answer().accept(Optional.of(assignment));
    }
  }

  /** Stops giving out jobs and publishing agents heard. */
  void close() {
    dispatcher.shutdownNow();
  }
}
