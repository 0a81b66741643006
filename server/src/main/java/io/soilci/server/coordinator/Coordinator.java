package io.soilci.server.coordinator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.soilci.result.JobRef;
import io.soilci.result.RunId;
import io.soilci.result.SiteLayout;
import io.soilci.result.WorkerHost;
import io.soilci.server.auth.JobClaims;
import io.soilci.server.hooks.HookEvent;
import io.soilci.server.hooks.Hooks;
import io.soilci.server.http.HttpError;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What to run and who runs it. Jobs wait in per-label queues (one per set of labels a job needs);
 * an agent asking for work is given the head of the least recently served queue it fits, so no
 * label's queue starves another's, and jobs of one queue go in submit order. A job given out is
 * leased: its agent renews the lease with heartbeats; a lease that runs out requeues the job
 * (bounded attempts, then it ends as lost); a setup failure requeues it for another agent; a job
 * that ran ends with its outcome. Every change is written to the {@link QueueLog} before it is
 * answered, so a SIGKILL loses nothing that was confirmed.
 */
public final class Coordinator implements AutoCloseable, JobClaims {
  private static final Logger LOG = LoggerFactory.getLogger(Coordinator.class);
  static final String LOG_FILE = "queue.log";
  static final int MAX_REUSE_KEYS = 100_000;

  /** What the site does for a reused job: it shows as passed, its status file written. */
  public interface ReusedJobs {
    void reused(JobRef job, String from) throws IOException;
  }

  /** An agent as last heard. */
  record Agent(String name, List<String> labels, int capacity, Instant lastSeen, String address) {}

  /** An agent's request for a job, answered once: with a job, or empty when its wait ran out. */
  private record Waiter(
      String agent,
      Set<String> labels,
      int capacity,
      long deadlineMillis,
      BooleanSupplier open,
      Consumer<Optional<ObjectNode>> answer) {}

  /** How many times a proposal is made again when another replica's change came first. */
  static final int MAX_PROPOSALS = 20;

  /** How long a proposal may take to be applied here before the request answers 503. */
  static final Duration APPLIED_WITHIN = Duration.ofSeconds(10);

  private final CoordinatorSettings settings;
  // Exactly one of the two: the single box's log, or the distributed mode's stream.
  private final @Nullable QueueLog log;
  private final @Nullable QueueReplication replicated;
  private final Clock clock;
  private final Hooks hooks;
  private final ReusedJobs site;
  private final ScheduledExecutorService timer;
  private final Map<Long, QueuedJob> jobs = new LinkedHashMap<>();
  // The newest job of each site job: who may write its results (check).
  private final Map<JobRef, QueuedJob> byRef = new HashMap<>();
  private final Map<String, ArrayDeque<QueuedJob>> queues = new TreeMap<>();
  private final Map<String, Long> lastServed = new HashMap<>();
  private final Map<String, String> passed = new LinkedHashMap<>();
  private final Map<String, Agent> agents = new TreeMap<>();
  private final List<Waiter> waiters = new ArrayList<>();
  // The distributed mode: jobs this replica proposed to give to an agent, not applied yet.
  private final Map<Long, String> offered = new HashMap<>();
  // The distributed mode: whether each of this replica's proposals was applied (the feed says).
  private final Map<String, Boolean> decided = new LinkedHashMap<>();
  // The distributed mode: when each agent was last published as heard.
  private final Map<String, Long> agentPublished = new HashMap<>();
  private final @Nullable ExecutorService dispatcher;
  private final AtomicBoolean dispatchAsked = new AtomicBoolean();
  // The distributed mode: the stream sequence of the last message applied, and of the last
  // snapshot with how many records it held.
  private long appliedSequence;
  private long snapshotSequence;
  private long snapshotRecords;
  private long nextId = 1;
  private long nextRun = 1;
  private long served;
  private long compactAt;
  private int queued;

  private Coordinator(
      CoordinatorSettings settings,
      @Nullable QueueLog log,
      @Nullable QueueReplication replicated,
      Clock clock,
      Hooks hooks,
      ReusedJobs site,
      ScheduledExecutorService timer) {
    this.settings = settings;
    this.log = log;
    this.replicated = replicated;
    this.dispatcher =
        replicated == null ? null : Executors.newSingleThreadExecutor(daemon("soil-dispatch"));
    this.clock = clock;
    this.hooks = hooks;
    this.site = site;
    this.timer = timer;
  }

  /**
   * Opens the queue kept in {@code stateDir/coordinator/queue.log}: jobs queued before a stop or
   * crash are queued again; jobs that were running keep their agent and get a fresh lease.
   */
  public static Coordinator open(
      Path stateDir, CoordinatorSettings settings, Clock clock, Hooks hooks, ReusedJobs site)
      throws IOException {
    List<ObjectNode> records = new ArrayList<>();
    QueueLog log = QueueLog.open(stateDir.resolve("coordinator").resolve(LOG_FILE), records);
    ScheduledExecutorService timer =
        Executors.newSingleThreadScheduledExecutor(daemon("soil-coordinator"));
    Coordinator coordinator = new Coordinator(settings, log, null, clock, hooks, site, timer);
    coordinator.replay(records);
    coordinator.startTimer();
    return coordinator;
  }

  /**
   * The distributed mode's queue: a replicated state machine on {@code stream}. Every change is a
   * proposal published to the stream (its records, with the state it was made from); every replica
   * applies the stream in order from its start ({@link #applyMessage}), and applies a proposal only
   * when the state it was made from is still there, so all end the same. The replica that proposed
   * waits until its own feed applied it, then answers (or proposes again from the newer state).
   * Leases that ran out are ended only by the replica that holds the {@code site} role.
   */
  public static Coordinator replicated(
      QueueReplication stream,
      CoordinatorSettings settings,
      Clock clock,
      Hooks hooks,
      ReusedJobs site) {
    ScheduledExecutorService timer =
        Executors.newSingleThreadScheduledExecutor(daemon("soil-coordinator"));
    Coordinator coordinator = new Coordinator(settings, null, stream, clock, hooks, site, timer);
    stream.start(coordinator::applyMessage);
    coordinator.startTimer();
    return coordinator;
  }

  private static ThreadFactory daemon(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }

  private void startTimer() {
    long tick = Math.max(100, Math.min(1000, settings.lease().toMillis() / 4));
    var unused = timer.scheduleWithFixedDelay(this::tick, tick, tick, TimeUnit.MILLISECONDS);
  }

  private synchronized void replay(List<ObjectNode> records) throws IOException {
    for (ObjectNode record : records) {
      switch (record.path("r").asText()) {
        case "job" -> {
          QueuedJob job = QueuedJob.fromRecord(record);
          jobs.put(job.id, job);
          byRef.put(job.ref, job);
          nextId = Math.max(nextId, job.id + 1);
          nextRun = Math.max(nextRun, record.path("runNumber").asLong(0) + 1);
        }
        case "state" -> {
          QueuedJob job = jobs.get(record.path("id").asLong());
          if (job != null) {
            job.applyState(record);
            if (job.state == JobState.PASSED && job.key != null) {
              remember(job);
            }
          }
        }
        case "reuse" -> remember(record.get("key").asText(), record.get("from").asText());
        case "runs" -> nextRun = Math.max(nextRun, record.path("next").asLong(1));
        default -> throw new IOException("queue log record of unknown kind: " + record);
      }
    }
    long now = clock.millis();
    for (QueuedJob job : jobs.values()) {
      if (job.state == JobState.QUEUED) {
        enqueue(job);
      } else if (job.state == JobState.RUNNING) {
        // The agent may still be at work: it gets a whole lease from now to be heard again.
        job.leaseUntilMillis = now + settings.lease().toMillis();
      }
    }
    compact();
  }

  // ---- submit ----

  /** Queues a submitted run's jobs (or reuses their passed results); all or nothing. */
  public ObjectNode submit(Submission submission, String submitter) throws IOException {
    if (replicated != null) {
      return replicatedSubmit(submission, submitter);
    }
    Planned planned;
    HookEvent finished;
    synchronized (this) {
      planned = plan(submission);
      log().append(planned.records());
      nextId = planned.made().get(planned.made().size() - 1).id + 1;
      if (submission.runId().isEmpty()) {
        nextRun++;
      }
      for (QueuedJob job : planned.made()) {
        jobs.put(job.id, job);
        byRef.put(job.ref, job);
        if (job.state == JobState.QUEUED) {
          enqueue(job);
        }
      }
      finished = submitted(planned, submitter);
      maybeCompact();
    }
    afterSubmit(planned, finished);
    dispatch();
    return planned.answer();
  }

  private ObjectNode replicatedSubmit(Submission submission, String submitter) throws IOException {
    Planned planned =
        agree(
            "a submit",
            () -> {
              Planned p = plan(submission);
              return new Proposal<>(p.records(), p);
            });
    HookEvent finished;
    synchronized (this) {
      finished = submitted(planned, submitter);
    }
    afterSubmit(planned, finished);
    return planned.answer();
  }

  /** A submit as made from the queue as it is now: its jobs, its records, its answer. */
  private record Planned(
      RunId run,
      List<QueuedJob> made,
      List<QueuedJob> reused,
      List<ObjectNode> records,
      ObjectNode answer) {}

  private Planned plan(Submission submission) {
    RunId run = submission.runId().orElse(new RunId("soil-" + nextRun));
    int toQueue = 0;
    List<QueuedJob> made = new ArrayList<>();
    List<QueuedJob> reused = new ArrayList<>();
    long now = clock.millis();
    long id = nextId;
    for (JobSpec spec : submission.jobs()) {
      String key = submission.tree().map(tree -> InputKey.of(tree, spec)).orElse(null);
      QueuedJob job =
          new QueuedJob(
              id++,
              now,
              new JobRef(WorkerHost.GITHUB, run, spec.name()),
              submission.commit(),
              submission.tree().orElse(null),
              submission.repository(),
              key,
              spec);
      String from = key == null || submission.force() ? null : passed.get(key);
      if (from != null) {
        job.state = JobState.REUSED;
        job.reusedFrom = from;
        job.status = 0;
        job.reason = "reused: " + from + " passed with the same inputs (key " + key + ")";
        if (replicated != null) {
          job.rev = 1;
        }
        reused.add(job);
      } else {
        toQueue++;
      }
      made.add(job);
    }
    if (queued + toQueue > settings.maxQueuedJobs()) {
      throw HttpError.busy(
          "the queue holds "
              + queued
              + " jobs and this submit adds "
              + toQueue
              + ", past the most it may hold ("
              + settings.maxQueuedJobs()
              + ", coordinator.maxQueuedJobs); nothing was queued, retry in 30 seconds",
          30);
    }
    List<ObjectNode> records = new ArrayList<>();
    for (QueuedJob job : made) {
      ObjectNode record = job.jobRecord();
      if (submission.runId().isEmpty()) {
        record.put("runNumber", nextRun);
      }
      records.add(record);
      if (job.state != JobState.QUEUED) {
        records.add(job.stateRecord());
      }
    }
    ObjectNode answer = JsonNodeFactory.instance.objectNode();
    answer.put("runId", run.value());
    answer.put("workerHost", WorkerHost.GITHUB.id());
    ArrayNode list = answer.putArray("jobs");
    for (QueuedJob job : made) {
      list.add(job.view());
    }
    return new Planned(run, made, reused, records, answer);
  }

  /** Logs a submit now in the queue; its run-finished when every job of it was reused. */
  private @Nullable HookEvent submitted(Planned planned, String submitter) {
    LOG.info(
        "{} submitted run {}: {} jobs, {} reused",
        submitter,
        planned.run(),
        planned.made().size(),
        planned.reused().size());
    return planned.reused().size() == planned.made().size()
        ? runFinished(planned.made().get(0))
        : null;
  }

  private void afterSubmit(Planned planned, @Nullable HookEvent finished) throws IOException {
    for (QueuedJob job : planned.reused()) {
      site.reused(job.ref, java.util.Objects.requireNonNull(job.reusedFrom));
    }
    if (finished != null) {
      hooks.submit(finished);
    }
  }

  /** A passed job's inputs, so an identical job is reused; the oldest forgotten past the bound. */
  private void remember(QueuedJob job) {
    remember(
        java.util.Objects.requireNonNull(job.key),
        SiteLayout.hostDir(job.ref.host()) + "/" + job.ref.run() + "/" + job.ref.job());
  }

  private void remember(String key, String from) {
    passed.remove(key);
    passed.put(key, from);
    if (passed.size() > MAX_REUSE_KEYS) {
      Iterator<String> oldest = passed.keySet().iterator();
      oldest.next();
      oldest.remove();
    }
  }

  private void enqueue(QueuedJob job) {
    queues.computeIfAbsent(job.spec.queueKey(), k -> new ArrayDeque<>()).addLast(job);
    queued++;
  }

  private void dequeue(QueuedJob job) {
    ArrayDeque<QueuedJob> queue = queues.get(job.spec.queueKey());
    if (queue != null && queue.remove(job)) {
      queued--;
    }
  }

  // ---- agents asking for work ----

  /**
   * {@code agent} asks for a job it can run with {@code labels}, holding at most {@code capacity};
   * {@code answer} gets one (already leased) or, after {@code wait}, nothing. {@code open} says
   * whether the agent is still there to take a job.
   */
  public void poll(
      String agent,
      Set<String> labels,
      int capacity,
      Duration wait,
      String address,
      BooleanSupplier open,
      Consumer<Optional<ObjectNode>> answer) {
    synchronized (this) {
      Agent heard =
          new Agent(agent, JobSpec.sortedLabels(labels), capacity, clock.instant(), address);
      if (replicated == null) {
        agents.put(agent, heard);
      } else {
        publishHeard(heard);
      }
      waiters.add(
          new Waiter(
              agent, Set.copyOf(labels), capacity, clock.millis() + wait.toMillis(), open, answer));
    }
    dispatch();
  }

  /** Gives queued jobs to waiting agents; answers outside the lock. */
  private void dispatch() {
    if (replicated != null) {
      askDispatch();
      return;
    }
    List<Runnable> answers = new ArrayList<>();
    synchronized (this) {
      for (Match match = nextMatch(); match != null; match = nextMatch()) {
        Waiter waiter = match.waiter();
        QueuedJob job = match.job();
        ObjectNode saved = job.saved();
        dequeue(job);
        job.state = JobState.RUNNING;
        job.agent = waiter.agent();
        job.attempts++;
        job.changedMillis = clock.millis();
        job.leaseUntilMillis = job.changedMillis + settings.lease().toMillis();
        job.cancelRequested = false;
        try {
          log().append(List.of(job.stateRecord()));
        } catch (IOException e) {
          job.applyState(saved);
          enqueue(job);
          LOG.error("cannot write the queue log; job {} stays queued", job.id, e);
          break;
        }
        lastServed.put(job.spec.queueKey(), ++served);
        waiters.remove(match.at());
        ObjectNode assignment = job.assignment(settings.lease().toSeconds());
        answers.add(() -> waiter.answer().accept(Optional.of(assignment)));
      }
      maybeCompactQuietly();
    }
    answers.forEach(Runnable::run);
  }

  /** A waiting agent (at index {@code at} of the waiters) and the job it is to get. */
  private record Match(int at, Waiter waiter, QueuedJob job) {}

  /**
   * The first waiter, in the order they came, that is still open, holds fewer jobs than its
   * capacity and fits a queued job, with that job ({@link #pick}); closed waiters are dropped on
   * the way. The waiter stays in the list: the caller removes it once it is given the job.
   */
  private @Nullable Match nextMatch() {
    for (int at = 0; at < waiters.size(); ) {
      Waiter waiter = waiters.get(at);
      if (!waiter.open().getAsBoolean()) {
        waiters.remove(at);
        continue;
      }
      if (holding(waiter.agent()) < waiter.capacity()) {
        QueuedJob job = pick(waiter);
        if (job != null) {
          return new Match(at, waiter, job);
        }
      }
      at++;
    }
    return null;
  }

  private int holding(String agent) {
    int count = 0;
    for (String offeredTo : offered.values()) {
      if (offeredTo.equals(agent)) {
        count++;
      }
    }
    for (QueuedJob job : jobs.values()) {
      if (job.state == JobState.RUNNING && agent.equals(job.agent)) {
        count++;
      }
    }
    return count;
  }

  /**
   * The head of the least recently served queue the agent fits (skipping jobs whose setup failed on
   * it); between queues served equally long ago (never, at first), the older job goes first.
   */
  private @Nullable QueuedJob pick(Waiter waiter) {
    QueuedJob best = null;
    long bestServed = Long.MAX_VALUE;
    for (Map.Entry<String, ArrayDeque<QueuedJob>> e : queues.entrySet()) {
      ArrayDeque<QueuedJob> queue = e.getValue();
      if (queue.isEmpty() || !queue.getFirst().spec.fits(waiter.labels())) {
        continue;
      }
      long when = lastServed.getOrDefault(e.getKey(), 0L);
      if (when > bestServed) {
        continue;
      }
      for (QueuedJob job : queue) {
        if (!job.setupFailedOn.containsKey(waiter.agent()) && !offered.containsKey(job.id)) {
          if (when < bestServed || best == null || job.id < best.id) {
            best = job;
            bestServed = when;
          }
          break;
        }
      }
    }
    return best;
  }

  // ---- the distributed mode: proposals and their application ----

  /** A change made from the queue as this replica sees it, and the answer once it is applied. */
  private record Proposal<T>(List<ObjectNode> records, T answer) {}

  /** Makes a proposal under the lock; may refuse the request (an {@link HttpError}). */
  @FunctionalInterface
  private interface Proposer<T> {
    Proposal<T> make();
  }

  /**
   * Makes the proposal from the queue as it is once this replica caught up with the stream,
   * publishes it and waits until it is applied here; when another replica's change came first (its
   * state is not the one the proposal was made from), makes it again from the newer state.
   */
  private <T> T agree(String what, Proposer<T> proposer) {
    for (int tries = 1; ; tries++) {
      catchUp(what);
      Proposal<T> proposal;
      synchronized (this) {
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

  private void catchUp(String what) {
    try {
      java.util.Objects.requireNonNull(replicated).awaitCaughtUp();
    } catch (IOException e) {
      throw HttpError.busy(what + " is not taken now: " + e.getMessage() + "; send it again", 5);
    }
  }

  /**
   * Publishes {@code records} as one proposal and waits until this replica's feed applied it;
   * returns whether it was applied (false: the state it was made from had changed).
   */
  private boolean propose(String what, List<ObjectNode> records) {
    QueueReplication stream = java.util.Objects.requireNonNull(replicated);
    String id = stream.origin() + ":" + UUID.randomUUID();
    ObjectNode message = JsonNodeFactory.instance.objectNode();
    message.put("version", MESSAGE_VERSION);
    message.put("origin", stream.origin());
    message.put("proposal", id);
    records.forEach(message.putArray("records")::add);
    try {
      long sequence = stream.publish(id, QueueLog.JSON.writeValueAsBytes(message));
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
    synchronized (this) {
      return Boolean.TRUE.equals(decided.remove(id));
    }
  }

  /** The largest snapshot published: below nats-server's default max_payload (1 MiB). */
  static final int MAX_SNAPSHOT_BYTES = 1_000_000;

  /** The format of the queue stream's messages. */
  static final int MESSAGE_VERSION = 1;

  /**
   * Applies one message of the queue's stream, in stream order (every replica applies every
   * message, its own too): a proposal is applied whole when every record's precondition holds (a
   * {@code job} record's id is the next id; a {@code state} record's {@code rev} is one past its
   * job's), else not at all. Times come from the records, never this replica's clock.
   */
  void applyMessage(long sequence, byte[] bytes) {
    ObjectNode message;
    try {
      message = QueueLog.JSON.readTree(bytes) instanceof ObjectNode node ? node : null;
    } catch (IOException e) {
      message = null;
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
    synchronized (this) {
      if (message.has("snapshot")) {
        loadSnapshot(message.path("snapshot").asLong(), records);
        appliedSequence = sequence;
        snapshotSequence = sequence;
        snapshotRecords = records.size();
        return;
      }
      appliedSequence = sequence;
      boolean applies = applies(records);
      if (applies) {
        records.forEach(this::applyRecord);
        pruneEnded();
      }
      QueueReplication stream = java.util.Objects.requireNonNull(replicated);
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
    jobs.clear();
    byRef.clear();
    queues.clear();
    queued = 0;
    passed.clear();
    lastServed.clear();
    served = 0;
    nextId = 1;
    nextRun = 1;
    for (ObjectNode record : records) {
      switch (record.path("r").asText()) {
        case "job" -> {
          QueuedJob job = QueuedJob.fromRecord(record);
          jobs.put(job.id, job);
          byRef.put(job.ref, job);
        }
        case "state" -> {
          QueuedJob job = jobs.get(record.path("id").asLong());
          if (job != null) {
            job.applyState(record);
          }
        }
        case "queue" -> {
          ArrayDeque<QueuedJob> queue = new ArrayDeque<>();
          for (JsonNode id : record.path("jobs")) {
            QueuedJob job = jobs.get(id.asLong());
            if (job != null) {
              queue.addLast(job);
            }
          }
          queues.put(record.get("key").asText(), queue);
          queued += queue.size();
          if (record.has("served")) {
            lastServed.put(record.get("key").asText(), record.get("served").asLong());
          }
        }
        case "runs" -> {
          nextRun = record.path("next").asLong(1);
          nextId = record.path("nextId").asLong(1);
          served = record.path("served").asLong(0);
        }
        case "reuse", "agent" -> applyRecord(record);
        default -> LOG.error("queue snapshot record of unknown kind skipped: {}", record);
      }
    }
  }

  /**
   * The distributed mode, on the holder of the site role: once the stream holds twice the records
   * of the last snapshot (at least 1000 messages past it), publishes the queue as it is as one
   * message that replaces every message before it ({@code Nats-Rollup: all}), accepted only while
   * no other message came after the one it was made at.
   */
  private void maybeSnapshot() {
    QueueReplication stream = java.util.Objects.requireNonNull(replicated);
    long at;
    byte[] bytes;
    String id = stream.origin() + ":" + UUID.randomUUID();
    synchronized (this) {
      if (appliedSequence - snapshotSequence < Math.max(1_000, snapshotRecords * 2)) {
        return;
      }
      at = appliedSequence;
      ObjectNode message = JsonNodeFactory.instance.objectNode();
      message.put("version", MESSAGE_VERSION);
      message.put("origin", stream.origin());
      message.put("proposal", id);
      message.put("snapshot", at);
      ArrayNode records = message.putArray("records");
      ObjectNode runs = records.addObject();
      runs.put("r", "runs");
      runs.put("next", nextRun);
      runs.put("nextId", nextId);
      runs.put("served", served);
      for (Map.Entry<String, String> e : passed.entrySet()) {
        ObjectNode reuse = records.addObject();
        reuse.put("r", "reuse");
        reuse.put("key", e.getKey());
        reuse.put("from", e.getValue());
      }
      for (Agent agent : agents.values()) {
        records.add(agentRecord(agent));
      }
      for (QueuedJob job : jobs.values()) {
        records.add(job.jobRecord());
        records.add(job.stateRecord());
      }
      for (Map.Entry<String, ArrayDeque<QueuedJob>> e : queues.entrySet()) {
        ObjectNode queue = records.addObject();
        queue.put("r", "queue");
        queue.put("key", e.getKey());
        Long when = lastServed.get(e.getKey());
        if (when != null) {
          queue.put("served", when);
        }
        ArrayNode ids = queue.putArray("jobs");
        e.getValue().forEach(job -> ids.add(job.id));
      }
      try {
        bytes = QueueLog.JSON.writeValueAsBytes(message);
      } catch (IOException e) {
        throw new IllegalStateException("a snapshot did not encode as JSON", e);
      }
      if (bytes.length > MAX_SNAPSHOT_BYTES) {
        LOG.warn(
            "queue: the snapshot at sequence {} is {} bytes, over the {} a NATS message holds by"
                + " default (max_payload): not published, the stream keeps every message",
            at,
            bytes.length,
            MAX_SNAPSHOT_BYTES);
        snapshotSequence = at; // tried again once as many messages came again
        return;
      }
    }
    try {
      stream.publishSnapshot(id, bytes, at);
    } catch (IOException e) {
      // Another message came after the one it was made at (or the stream did not answer): tried
      // again on the next tick.
      LOG.info("queue: no snapshot at sequence {} this time: {}", at, e.getMessage());
    }
  }

  /** Whether every record's precondition holds, in order. */
  private boolean applies(List<ObjectNode> records) {
    long next = nextId;
    Map<Long, Long> revs = new HashMap<>();
    for (ObjectNode record : records) {
      long id = record.path("id").asLong();
      switch (record.path("r").asText()) {
        case "job" -> {
          if (id != next) {
            return false;
          }
          next++;
          revs.put(id, 0L);
        }
        case "state" -> {
          Long rev = revs.get(id);
          if (rev == null) {
            QueuedJob job = jobs.get(id);
            if (job == null) {
              return false;
            }
            rev = job.rev;
          }
          if (record.path("rev").asLong() != rev + 1) {
            return false;
          }
          revs.put(id, rev + 1);
        }
        case "reuse", "runs", "agent" -> {}
        default -> {
          LOG.error("queue record of unknown kind skipped: {}", record);
          return false;
        }
      }
    }
    return true;
  }

  /** Applies one record whose precondition held: the queues follow the job's state. */
  private void applyRecord(ObjectNode record) {
    switch (record.path("r").asText()) {
      case "job" -> {
        QueuedJob job = QueuedJob.fromRecord(record);
        jobs.put(job.id, job);
        byRef.put(job.ref, job);
        nextId = Math.max(nextId, job.id + 1);
        nextRun = Math.max(nextRun, record.path("runNumber").asLong(0) + 1);
        enqueue(job);
      }
      case "state" -> {
        QueuedJob job = java.util.Objects.requireNonNull(jobs.get(record.path("id").asLong()));
        JobState before = job.state;
        job.applyState(record);
        if (before == JobState.QUEUED && job.state != JobState.QUEUED) {
          dequeue(job);
          if (job.state == JobState.RUNNING) {
            lastServed.put(job.spec.queueKey(), ++served);
          }
        } else if (before != JobState.QUEUED && job.state == JobState.QUEUED) {
          enqueue(job);
        }
        if (before != JobState.PASSED && job.state == JobState.PASSED && job.key != null) {
          remember(job);
        }
      }
      case "reuse" -> remember(record.get("key").asText(), record.get("from").asText());
      case "runs" -> nextRun = Math.max(nextRun, record.path("next").asLong(1));
      case "agent" -> {
        List<String> labels = new ArrayList<>();
        record.path("labels").forEach(l -> labels.add(l.asText()));
        agents.put(
            record.get("name").asText(),
            new Agent(
                record.get("name").asText(),
                labels,
                record.path("capacity").asInt(1),
                Instant.ofEpochMilli(record.path("seen").asLong()),
                record.path("address").asText()));
      }
      default -> throw new IllegalStateException("checked by applies: " + record);
    }
  }

  /** Keeps the newest {@code keepEnded} ended jobs (as compaction does on a single box). */
  private void pruneEnded() {
    int ended = 0;
    for (QueuedJob job : jobs.values()) {
      if (job.state.ended()) {
        ended++;
      }
    }
    for (Iterator<QueuedJob> it = jobs.values().iterator();
        it.hasNext() && ended > settings.keepEnded(); ) {
      QueuedJob job = it.next();
      if (job.state.ended()) {
        it.remove();
        byRef.remove(job.ref, job);
        ended--;
      }
    }
  }

  /**
   * An agent heard at its poll: published (at most once a quarter lease, or when what it says
   * changed), so every replica knows it, for the pages and for "no other agent could take it".
   */
  private void publishHeard(Agent heard) {
    Agent known = agents.get(heard.name());
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
    ObjectNode record = agentRecord(heard);
    runOnDispatcher(
        () -> {
          try {
            propose("agent " + heard.name() + " heard", List.of(record));
          } catch (HttpError e) {
            synchronized (this) {
              agentPublished.remove(heard.name());
            }
            LOG.warn("agent {} heard, not published: {}", heard.name(), e.getMessage());
          }
        });
  }

  private static ObjectNode agentRecord(Agent agent) {
    ObjectNode record = JsonNodeFactory.instance.objectNode();
    record.put("r", "agent");
    record.put("name", agent.name());
    agent.labels().forEach(record.putArray("labels")::add);
    record.put("capacity", agent.capacity());
    record.put("seen", agent.lastSeen().toEpochMilli());
    record.put("address", agent.address());
    return record;
  }

  /** A state record proposing {@code change} of {@code job}, which stays as it is until applied. */
  private static ObjectNode proposed(QueuedJob job, Consumer<QueuedJob> change) {
    ObjectNode saved = job.saved();
    change.accept(job);
    job.rev++;
    ObjectNode record = job.stateRecord();
    job.applyState(saved);
    return record;
  }

  private void askDispatch() {
    if (dispatchAsked.compareAndSet(false, true)) {
      runOnDispatcher(
          () -> {
            dispatchAsked.set(false);
            replicatedDispatch();
          });
    }
  }

  private void runOnDispatcher(Runnable task) {
    try {
      java.util.Objects.requireNonNull(dispatcher).execute(task);
    } catch (RejectedExecutionException e) {
      // Closing.
    }
  }

  /**
   * The distributed mode's dispatch, one job at a time on its own thread: proposes "job N to agent
   * A, attempt K" from the job's state now; once applied, answers the agent; when another replica
   * gave the job out first, puts the agent back at its place and tries the next job.
   */
  private void replicatedDispatch() {
    for (int lost = 0; lost < MAX_PROPOSALS; ) {
      Waiter waiter;
      QueuedJob job;
      ObjectNode record;
      synchronized (this) {
        Match match = nextMatch();
        if (match == null) {
          return;
        }
        waiters.remove(match.at());
        waiter = match.waiter();
        job = match.job();
        offered.put(job.id, waiter.agent());
        long now = clock.millis();
        String agent = waiter.agent();
        record =
            proposed(
                job,
                j -> {
                  j.state = JobState.RUNNING;
                  j.agent = agent;
                  j.attempts++;
                  j.changedMillis = now;
                  j.leaseUntilMillis = now + settings.lease().toMillis();
                  j.cancelRequested = false;
                });
      }
      boolean applied;
      try {
        applied = propose("job " + job.id + " to agent " + waiter.agent(), List.of(record));
      } catch (HttpError e) {
        LOG.warn("job {} stays queued: {}", job.id, e.getMessage());
        synchronized (this) {
          offered.remove(job.id);
          waiters.add(0, waiter);
        }
        return; // tried again on the next tick
      }
      ObjectNode assignment;
      synchronized (this) {
        offered.remove(job.id);
        if (!applied) {
          waiters.add(0, waiter);
          lost++;
          continue;
        }
        // The job as applied now (a snapshot loaded meanwhile makes new objects).
        assignment =
            java.util.Objects.requireNonNull(jobs.get(job.id), "a job just given out")
                .assignment(settings.lease().toSeconds());
      }
      waiter.answer().accept(Optional.of(assignment));
    }
  }

  // ---- leases ----

  /** The agent's job is alive: its lease renewed. Answers whether it was asked to cancel. */
  public ObjectNode heartbeat(String agent, long id) {
    if (replicated != null) {
      agree(
          "a heartbeat of job " + id,
          () -> {
            QueuedJob job = held(agent, id, "a heartbeat");
            long until = clock.millis() + settings.lease().toMillis();
            return new Proposal<>(List.of(proposed(job, j -> j.leaseUntilMillis = until)), job);
          });
    }
    synchronized (this) {
      if (replicated != null) {
        QueuedJob job = held(agent, id, "a heartbeat");
        Agent known = agents.get(agent);
        if (known != null) {
          publishHeard(
              new Agent(agent, known.labels(), known.capacity(), clock.instant(), known.address()));
        }
        ObjectNode answer = JsonNodeFactory.instance.objectNode();
        answer.put("id", id);
        answer.put("leaseSeconds", settings.lease().toSeconds());
        answer.put("cancel", job.cancelRequested);
        return answer;
      }
      QueuedJob job = held(agent, id, "a heartbeat");
      job.leaseUntilMillis = clock.millis() + settings.lease().toMillis();
      touch(agent);
      ObjectNode answer = JsonNodeFactory.instance.objectNode();
      answer.put("id", id);
      answer.put("leaseSeconds", settings.lease().toSeconds());
      answer.put("cancel", job.cancelRequested);
      return answer;
    }
  }

  private void touch(String agent) {
    Agent known = agents.get(agent);
    if (known != null) {
      agents.put(
          agent,
          new Agent(
              known.name(), known.labels(), known.capacity(), clock.instant(), known.address()));
    }
  }

  /**
   * The job {@code agent} holds now, or the precise refusal: unknown (404), another agent's (403),
   * its lease ran out (409), already ended (409).
   */
  private QueuedJob held(String agent, long id, String what) {
    QueuedJob job = jobs.get(id);
    if (job == null) {
      throw HttpError.notFound(
          "job " + id + " is not known to the coordinator; " + what + " is refused");
    }
    if (replicated == null
        && job.state == JobState.RUNNING
        && agent.equals(job.agent)
        && clock.millis() > job.leaseUntilMillis) {
      // On a single box a lease that ran out ends at once; in the distributed mode only the
      // holder of the site role ends it (tick), so every replica sees the same end.
      expire(job);
    }
    if (job.state == JobState.RUNNING && agent.equals(job.agent)) {
      return job;
    }
    if (job.expiredOn.contains(agent)) {
      throw HttpError.conflict(
          "agent '"
              + agent
              + "' lost its lease on job "
              + id
              + " (no heartbeat within "
              + settings.lease().toSeconds()
              + " s); the job was "
              + (job.state == JobState.LOST ? "ended as lost" : "given out again")
              + ", so "
              + what
              + " is refused");
    }
    if (job.state.ended() && agent.equals(job.agent)) {
      throw HttpError.conflict(
          "job " + id + " already ended as " + job.state.id() + "; " + what + " is refused");
    }
    throw HttpError.forbidden(
        "job "
            + id
            + " is not held by agent '"
            + agent
            + "' ("
            + (job.agent == null || job.state == JobState.QUEUED
                ? "it is " + job.state.id()
                : "it is " + job.state.id() + " by agent '" + job.agent + "'")
            + "); an agent may only report on the jobs the coordinator gave it");
  }

  private void tick() {
    List<QueuedJob> ended = new ArrayList<>();
    List<HookEvent> runs = new ArrayList<>();
    List<Runnable> timedOut = new ArrayList<>();
    if (replicated != null) {
      try {
        expireReplicated();
        if (replicated.expiresLeases()) {
          maybeSnapshot();
        }
      } catch (RuntimeException e) {
        // A timer task that throws is never run again: log, and try on the next tick.
        LOG.error("queue: ending leases or the snapshot failed; trying again", e);
      }
    }
    synchronized (this) {
      long now = clock.millis();
      for (QueuedJob job : replicated != null ? List.<QueuedJob>of() : List.copyOf(jobs.values())) {
        if (job.state == JobState.RUNNING && now > job.leaseUntilMillis) {
          if (expire(job)) {
            ended.add(job);
            HookEvent run = runFinished(job);
            if (run != null) {
              runs.add(run);
            }
          }
        }
      }
      for (Iterator<Waiter> it = waiters.iterator(); it.hasNext(); ) {
        Waiter waiter = it.next();
        if (now >= waiter.deadlineMillis() || !waiter.open().getAsBoolean()) {
          it.remove();
          timedOut.add(() -> waiter.answer().accept(Optional.empty()));
        }
      }
    }
    timedOut.forEach(Runnable::run);
    ended.forEach(job -> hook(HookEvent.JOB_FAILED, job));
    runs.forEach(hooks::submit);
    dispatch();
  }

  /** The job's lease ran out: requeued, or lost after its last attempt. True when it ended. */
  private boolean expire(QueuedJob job) {
    ObjectNode saved = job.saved();
    boolean last = expired(job, clock.millis());
    try {
      log().append(List.of(job.stateRecord()));
    } catch (IOException e) {
      job.applyState(saved);
      LOG.error("cannot write the queue log; job {} stays leased", job.id, e);
      return false;
    }
    LOG.warn(
        "job {} ({}): {}{}", job.id, job.ref, job.reason, last ? "; ended as lost" : "; requeued");
    if (!last) {
      enqueue(job);
    }
    return last;
  }

  /** Changes {@code job} as its lease ran out at {@code now}; true when it ends (lost). */
  private boolean expired(QueuedJob job, long now) {
    String agent = java.util.Objects.requireNonNull(job.agent);
    job.expiredOn.add(agent);
    job.changedMillis = now;
    String why =
        "no heartbeat from agent '"
            + agent
            + "' since "
            + Instant.ofEpochMilli(job.leaseUntilMillis - settings.lease().toMillis())
            + " (lease "
            + settings.lease().toSeconds()
            + " s), attempt "
            + job.attempts
            + " of "
            + settings.maxAttempts();
    boolean last = job.attempts >= settings.maxAttempts();
    job.reason = why;
    if (last) {
      job.state = JobState.LOST;
      job.status = 255;
    } else {
      job.state = JobState.QUEUED;
    }
    return last;
  }

  /**
   * The distributed mode: the holder of the site role proposes the end of each lease that ran out
   * (requeued, or lost after its last attempt); once applied, it fires the hooks.
   */
  private void expireReplicated() {
    if (!java.util.Objects.requireNonNull(replicated).expiresLeases()) {
      return;
    }
    List<Long> due = new ArrayList<>();
    synchronized (this) {
      long now = clock.millis();
      for (QueuedJob job : jobs.values()) {
        if (job.state == JobState.RUNNING && now > job.leaseUntilMillis) {
          due.add(job.id);
        }
      }
    }
    for (long id : due) {
      QueuedJob job;
      HookEvent run;
      try {
        job =
            agree(
                    "the end of job " + id + "'s lease",
                    () -> {
                      QueuedJob running = jobs.get(id);
                      long at = clock.millis();
                      if (running == null
                          || running.state != JobState.RUNNING
                          || at <= running.leaseUntilMillis) {
                        return new Proposal<>(List.of(), Optional.<QueuedJob>empty());
                      }
                      return new Proposal<>(
                          List.of(proposed(running, j -> expired(j, at))), Optional.of(running));
                    })
                .orElse(null);
      } catch (HttpError e) {
        LOG.warn("job {}: its lease ran out; not ended yet: {}", id, e.getMessage());
        continue;
      }
      if (job == null) {
        continue; // renewed or ended meanwhile
      }
      synchronized (this) {
        LOG.warn(
            "job {} ({}): {}{}",
            job.id,
            job.ref,
            job.reason,
            job.state == JobState.LOST ? "; ended as lost" : "; requeued");
        run = job.state == JobState.LOST ? runFinished(job) : null;
      }
      if (job.state == JobState.LOST) {
        hook(HookEvent.JOB_FAILED, job);
      }
      if (run != null) {
        hooks.submit(run);
      }
    }
  }

  // ---- who may publish ----

  /**
   * A site job the coordinator gave out may be written (uploaded, its events and live log sent)
   * only by the agent holding its lease now: an agent whose lease ran out is refused with 409, so
   * its late upload cannot overwrite the result of the attempt that replaced it; nor may anyone
   * write a coordinator job that is queued or ended. Jobs the coordinator does not know (or no
   * longer keeps) are anyone's with the scope.
   */
  @Override
  public void check(String worker, JobRef ref) {
    if (replicated != null) {
      boolean known;
      synchronized (this) {
        known = byRef.containsKey(ref);
      }
      if (known) {
        // Another replica may have ended its lease or given it out: this one must have seen it.
        catchUp("publishing " + ref);
      }
    }
    synchronized (this) {
      QueuedJob job = byRef.get(ref);
      if (job == null) {
        return;
      }
      String what = SiteLayout.hostDir(ref.host()) + "/" + ref.run() + "/" + ref.job();
      boolean holder = job.state == JobState.RUNNING && worker.equals(job.agent);
      if (holder && clock.millis() <= job.leaseUntilMillis) {
        return;
      }
      String refused = "; its results and events for " + what + " are refused";
      if (holder || job.expiredOn.contains(worker)) {
        throw HttpError.conflict(
            "agent '"
                + worker
                + "' lost its lease on coordinator job "
                + job.id
                + " ("
                + what
                + "): no heartbeat within "
                + settings.lease().toSeconds()
                + " s, and the job was "
                + (holder
                    ? "about to be given out again"
                    : job.state == JobState.RUNNING
                        ? "given to agent '" + job.agent + "' (attempt " + job.attempts + ")"
                        : job.state.ended() ? "ended as " + job.state.id() : "queued again")
                + refused);
      }
      throw HttpError.conflict(
          what
              + " is coordinator job "
              + job.id
              + ", "
              + (job.state == JobState.RUNNING
                  ? "held by agent '" + job.agent + "' (attempt " + job.attempts + ")"
                  : job.state.ended() ? "already ended as " + job.state.id() : "queued")
              + "; only the agent holding its lease may publish it, and '"
              + worker
              + "' does not"
              + refused);
    }
  }

  // ---- outcomes ----

  /** What an agent reports when it is done with a job. */
  public enum Outcome {
    PASSED("passed"),
    FAILED("failed"),
    SETUP_FAILED("setup-failed"),
    CANCELLED("cancelled");

    private final String id;

    Outcome(String id) {
      this.id = id;
    }

    public String id() {
      return id;
    }

    static Outcome parse(String value) {
      for (Outcome o : values()) {
        if (o.id.equals(value)) {
          return o;
        }
      }
      throw new io.soilci.result.BadInput(
          "outcome '"
              + io.soilci.result.Printable.of(value)
              + "' must be one of passed, failed, setup-failed, cancelled");
    }
  }

  /**
   * {@code agent} is done with job {@code id}: a job that ran (passed, failed, cancelled) ends with
   * it; a setup failure requeues it for another agent, until its attempts are used up.
   */
  public ObjectNode outcome(String agent, long id, Outcome outcome, int status, String reason)
      throws IOException {
    String hook = null;
    HookEvent run;
    @Nullable QueuedJob job = null;
    if (replicated != null) {
      job =
          agree(
              "outcome " + outcome.id() + " of job " + id,
              () -> {
                QueuedJob held = held(agent, id, "outcome " + outcome.id());
                long now = clock.millis();
                return new Proposal<>(
                    List.of(proposed(held, j -> reported(j, agent, outcome, status, reason, now))),
                    held);
              });
    }
    synchronized (this) {
      if (job != null) {
        // The job as applied now (a snapshot loaded meanwhile makes new objects).
        job = jobs.getOrDefault(id, job);
      } else {
        job = held(agent, id, "outcome " + outcome.id());
        ObjectNode saved = job.saved();
        boolean requeue = reported(job, agent, outcome, status, reason, clock.millis());
        try {
          log().append(List.of(job.stateRecord()));
        } catch (IOException e) {
          job.applyState(saved);
          throw e;
        }
        if (requeue) {
          enqueue(job);
        }
        if (job.state == JobState.PASSED && job.key != null) {
          remember(job);
        }
      }
      if (outcome == Outcome.SETUP_FAILED) {
        hook = HookEvent.JOB_SETUP_FAILED;
      } else if (job.state == JobState.CANCELLED) {
        hook = HookEvent.JOB_CANCELLED;
      }
      LOG.info("job {} ({}) by {}: {} ({})", id, job.ref, agent, outcome.id(), reason);
      run = job.state.ended() ? runFinished(job) : null;
      if (replicated == null) {
        maybeCompact();
      }
    }
    if (hook != null) {
      hook(hook, job);
    }
    if (run != null) {
      hooks.submit(run);
    }
    dispatch();
    return view(job);
  }

  /** Changes {@code job} as {@code agent} reported; true when it is queued again. */
  private boolean reported(
      QueuedJob job, String agent, Outcome outcome, int status, String reason, long now) {
    job.changedMillis = now;
    job.status = status;
    job.reason = reason;
    boolean requeue = false;
    switch (outcome) {
      case PASSED -> job.state = JobState.PASSED;
      case FAILED -> job.state = JobState.FAILED;
      case CANCELLED -> job.state = JobState.CANCELLED;
      case SETUP_FAILED -> {
        job.setupFailedOn.put(agent, reason);
        if (job.cancelRequested) {
          job.state = JobState.CANCELLED;
        } else if (job.attempts >= settings.maxAttempts()) {
          job.state = JobState.SETUP_FAILED;
          job.reason =
              setupErrors(job)
                  + " (attempt "
                  + job.attempts
                  + " of "
                  + settings.maxAttempts()
                  + ")";
        } else if (!anotherAgentFits(job)) {
          job.state = JobState.SETUP_FAILED;
          job.reason =
              "setup failed on every agent that can take it (labels ["
                  + String.join(",", job.spec.labels())
                  + "], agents heard within "
                  + settings.lease().toSeconds()
                  + " s): "
                  + setupErrors(job);
        } else {
          job.state = JobState.QUEUED;
          requeue = true;
        }
      }
    }
    return requeue;
  }

  /** Each agent's setup error, in the order they failed: {@code agent 'a': reason; …}. */
  private static String setupErrors(QueuedJob job) {
    List<String> each = new ArrayList<>();
    job.setupFailedOn.forEach((agent, why) -> each.add("agent '" + agent + "': " + why));
    return String.join("; ", each);
  }

  /**
   * Whether an agent whose setup has not failed for the job could still take it: one that has its
   * labels and was heard (a poll or a heartbeat) within a lease. Agents are known from their polls
   * since the server started.
   */
  private boolean anotherAgentFits(QueuedJob job) {
    Instant since = clock.instant().minus(settings.lease());
    for (Agent agent : agents.values()) {
      if (!job.setupFailedOn.containsKey(agent.name())
          && job.spec.fits(Set.copyOf(agent.labels()))
          && !agent.lastSeen().isBefore(since)) {
        return true;
      }
    }
    return false;
  }

  // ---- cancel ----

  /**
   * Cancels a job: a queued one ends at once; a running one is marked, and its agent hears it with
   * its next heartbeat, kills the tasks and publishes what ran as cancelled.
   */
  public ObjectNode cancel(long id, String by) throws IOException {
    QueuedJob job;
    boolean endedNow;
    HookEvent run = null;
    if (replicated != null) {
      job =
          agree(
              "cancel of job " + id,
              () -> {
                QueuedJob known = cancellable(id);
                long now = clock.millis();
                return new Proposal<>(List.of(proposed(known, j -> cancelled(j, by, now))), known);
              });
      synchronized (this) {
        // Applied: a queued job ended, a running one's agent is told.
        endedNow = job.state == JobState.CANCELLED && !job.cancelRequested;
      }
    } else {
      synchronized (this) {
        job = cancellable(id);
        endedNow = job.state == JobState.QUEUED;
        ObjectNode saved = job.saved();
        cancelled(job, by, clock.millis());
        try {
          log().append(List.of(job.stateRecord()));
        } catch (IOException e) {
          job.applyState(saved);
          throw e;
        }
        if (job.state == JobState.CANCELLED) {
          dequeue(job);
        }
      }
    }
    synchronized (this) {
      if (endedNow) {
        run = runFinished(job);
      }
    }
    if (endedNow) {
      hook(HookEvent.JOB_CANCELLED, job);
    }
    if (run != null) {
      hooks.submit(run);
    }
    return view(job);
  }

  /** The job {@code id} if it may be cancelled now, or the precise refusal. */
  private QueuedJob cancellable(long id) {
    QueuedJob job = jobs.get(id);
    if (job == null) {
      throw HttpError.notFound("job " + id + " is not known to the coordinator");
    }
    if (job.state.ended()) {
      throw HttpError.conflict(
          "job " + id + " already ended as " + job.state.id() + "; there is nothing to cancel");
    }
    if (job.cancelRequested) {
      throw HttpError.conflict(
          "job " + id + " is already being cancelled (its agent '" + job.agent + "' was told)");
    }
    return job;
  }

  /** Changes {@code job} as cancelled by {@code by}: ended when queued, else its agent told. */
  private static void cancelled(QueuedJob job, String by, long now) {
    job.changedMillis = now;
    if (job.state == JobState.QUEUED) {
      job.state = JobState.CANCELLED;
      job.reason = "cancelled by " + by + " while queued";
    } else {
      job.cancelRequested = true;
      job.reason = "cancel asked by " + by;
    }
  }

  // ---- views ----

  private synchronized ObjectNode view(QueuedJob job) {
    return job.view();
  }

  /** One job's view, or 404. */
  public synchronized ObjectNode job(long id) {
    QueuedJob job = jobs.get(id);
    if (job == null) {
      throw HttpError.notFound("job " + id + " is not known to the coordinator");
    }
    return job.view();
  }

  /** Every job kept, newest first: queued, running and recently ended. */
  public synchronized List<ObjectNode> jobs() {
    List<ObjectNode> list = new ArrayList<>();
    List<QueuedJob> all = new ArrayList<>(jobs.values());
    all.sort(Comparator.comparingLong((QueuedJob j) -> j.id).reversed());
    for (QueuedJob job : all) {
      list.add(job.view());
    }
    return list;
  }

  /** The agents heard since the start, with the jobs each holds now. */
  public synchronized List<ObjectNode> agents() {
    List<ObjectNode> list = new ArrayList<>();
    for (Agent agent : agents.values()) {
      ObjectNode node = JsonNodeFactory.instance.objectNode();
      node.put("name", agent.name());
      agent.labels().forEach(node.putArray("labels")::add);
      node.put("capacity", agent.capacity());
      node.put("lastSeen", agent.lastSeen().toString());
      node.put("address", agent.address());
      ArrayNode current = node.putArray("jobs");
      for (QueuedJob job : jobs.values()) {
        if (job.state == JobState.RUNNING && agent.name().equals(job.agent)) {
          current.add(job.id);
        }
      }
      list.add(node);
    }
    return list;
  }

  /** Jobs waiting for an agent now. */
  public synchronized int queuedJobs() {
    return queued;
  }

  // ---- hooks ----

  /**
   * The run-finished hook of {@code ended}'s run once every job of it the coordinator keeps has
   * ended (passed, failed, setup-failed, cancelled, lost or reused); null while one is queued or
   * running. {@code SOIL_STATUS} is the worst status, {@code SOIL_STATUS_TEXT} counts the states.
   */
  private @Nullable HookEvent runFinished(QueuedJob ended) {
    int count = 0;
    int worst = 0;
    Map<String, Integer> states = new TreeMap<>();
    for (QueuedJob job : jobs.values()) {
      if (!job.ref.host().equals(ended.ref.host()) || !job.ref.run().equals(ended.ref.run())) {
        continue;
      }
      if (!job.state.ended()) {
        return null;
      }
      count++;
      worst = Math.max(worst, job.status);
      states.merge(job.state.id(), 1, Integer::sum);
    }
    List<String> text = new ArrayList<>();
    states.forEach((state, n) -> text.add(n + " " + state));
    Map<String, String> env = new LinkedHashMap<>();
    env.put("SOIL_HOST", ended.ref.host().id());
    env.put("SOIL_RUN", ended.ref.run().value());
    env.put("SOIL_COMMIT", ended.commit);
    env.put("SOIL_RUN_PATH", ended.ref.runDir() + "/index.html");
    env.put("SOIL_STATUS", Integer.toString(worst));
    env.put("SOIL_STATUS_TEXT", String.join(", ", text));
    env.put("SOIL_JOBS", Integer.toString(count));
    return new HookEvent(HookEvent.RUN_FINISHED, env);
  }

  /** Whether the coordinator keeps a job of {@code job}'s run: then it fires its run-finished. */
  public synchronized boolean ownsRun(JobRef job) {
    for (QueuedJob known : jobs.values()) {
      if (known.ref.host().equals(job.host()) && known.ref.run().equals(job.run())) {
        return true;
      }
    }
    return false;
  }

  private void hook(String event, QueuedJob job) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("SOIL_HOST", job.ref.host().id());
    env.put("SOIL_RUN", job.ref.run().value());
    env.put("SOIL_JOB", job.ref.job().value());
    env.put("SOIL_STATUS", Integer.toString(Math.max(job.status, 0)));
    env.put("SOIL_STATUS_TEXT", job.reason);
    env.put("SOIL_COORDINATOR_JOB", Long.toString(job.id));
    env.put("SOIL_AGENT", job.agent == null ? "" : job.agent);
    env.put("SOIL_COMMIT", job.commit);
    hooks.submit(new HookEvent(event, env));
  }

  // ---- compaction ----

  private void maybeCompactQuietly() {
    try {
      maybeCompact();
    } catch (IOException e) {
      LOG.error("cannot compact the queue log; it grows until the next try", e);
    }
  }

  private void maybeCompact() throws IOException {
    if (log().records() >= compactAt) {
      compact();
    }
  }

  /**
   * Rewrites the log with what is live: every queued and running job, the newest ended ones (at
   * most {@code keepEnded}), and the input keys of passed jobs.
   */
  private void compact() throws IOException {
    List<QueuedJob> ended = new ArrayList<>();
    for (QueuedJob job : jobs.values()) {
      if (job.state.ended()) {
        ended.add(job);
      }
    }
    int drop = Math.max(0, ended.size() - settings.keepEnded());
    for (int i = 0; i < drop; i++) {
      QueuedJob gone = ended.get(i);
      jobs.remove(gone.id);
      byRef.remove(gone.ref, gone);
    }
    List<ObjectNode> live = new ArrayList<>();
    ObjectNode runs = JsonNodeFactory.instance.objectNode();
    runs.put("r", "runs");
    runs.put("next", nextRun);
    live.add(runs);
    for (Map.Entry<String, String> e : passed.entrySet()) {
      ObjectNode reuse = JsonNodeFactory.instance.objectNode();
      reuse.put("r", "reuse");
      reuse.put("key", e.getKey());
      reuse.put("from", e.getValue());
      live.add(reuse);
    }
    for (QueuedJob job : jobs.values()) {
      live.add(job.jobRecord());
      live.add(job.stateRecord());
    }
    log().rewrite(live);
    compactAt = Math.max(1_000, live.size() * 2L);
  }

  private QueueLog log() {
    return java.util.Objects.requireNonNull(log, "the single box's queue log");
  }

  /** For tests: the records the log holds now. */
  synchronized long logRecords() {
    return log().records();
  }

  @Override
  public void close() throws IOException {
    timer.shutdownNow();
    List<Waiter> left;
    synchronized (this) {
      left = List.copyOf(waiters);
      waiters.clear();
    }
    left.forEach(w -> w.answer().accept(Optional.empty()));
    if (dispatcher != null) {
      dispatcher.shutdownNow();
    }
    synchronized (this) {
      if (log != null) {
        log.close();
      }
    }
  }
}
