package io.soilci.server.coordinator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.soilci.result.JobRef;
import io.soilci.result.SiteLayout;
import io.soilci.server.http.HttpError;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The coordinator's queue in memory: every job kept, the per-label queues, the agents heard and
 * those waiting for a job, the input keys of passed jobs. It applies changes already decided (the
 * records of the queue log or stream), matches waiting agents with queued jobs, and writes itself
 * as records. Every caller holds its lock ({@code synchronized (state)}).
 */
final class QueueState {
  private static final Logger LOG = LoggerFactory.getLogger(QueueState.class);
  static final int MAX_REUSE_KEYS = 100_000;

  /** An agent as last heard. */
  record Agent(String name, List<String> labels, int capacity, Instant lastSeen, String address) {}

  /** An agent's request for a job, answered once: with a job, or empty when its wait ran out. */
  record Waiter(
      String agent,
      Set<String> labels,
      int capacity,
      long deadlineMillis,
      BooleanSupplier open,
      Consumer<Optional<ObjectNode>> answer) {}

  /** A waiting agent (at index {@code at} of the waiters) and the job it is to get. */
  record Match(int at, Waiter waiter, QueuedJob job) {}

  private final int keepEnded;
  final Map<Long, QueuedJob> jobs = new LinkedHashMap<>();
  // The newest job of each site job: who may write its results (check).
  final Map<JobRef, QueuedJob> byRef = new HashMap<>();
  final Map<String, ArrayDeque<QueuedJob>> queues = new TreeMap<>();
  final Map<String, Long> lastServed = new HashMap<>();
  final Map<String, String> passed = new LinkedHashMap<>();
  final Map<String, Agent> agents = new TreeMap<>();
  final List<Waiter> waiters = new ArrayList<>();
  // The distributed mode: jobs this replica proposed to give to an agent, not applied yet.
  final Map<Long, String> offered = new HashMap<>();
  long nextId = 1;
  long nextRun = 1;
  long served;
  int queued;

  QueueState(int keepEnded) {
    this.keepEnded = keepEnded;
  }

  /**
   * Takes in the single box's log as read at start; jobs that were running keep their agent, whose
   * lease now lasts until {@code leaseUntil}.
   */
  void replay(List<ObjectNode> records, long leaseUntil) throws IOException {
    for (ObjectNode record : records) {
      switch (record.path("r").asText()) {
        case "job" -> added(record);
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
    for (QueuedJob job : jobs.values()) {
      if (job.state == JobState.QUEUED) {
        enqueue(job);
      } else if (job.state == JobState.RUNNING) {
        // The agent may still be at work.
        job.leaseUntilMillis = leaseUntil;
      }
    }
  }

  /** Takes in a submit's jobs on a single box ({@code numbered}: its run took the next number). */
  void submitted(List<QueuedJob> made, boolean numbered) {
    nextId = made.get(made.size() - 1).id + 1;
    if (numbered) {
      nextRun++;
    }
    for (QueuedJob job : made) {
      keep(job);
      if (job.state == JobState.QUEUED) {
        enqueue(job);
      }
    }
  }

  /** Keeps the job a logged {@code job} record adds; the next ids and run numbers go past it. */
  private QueuedJob added(ObjectNode record) {
    QueuedJob job = keep(record);
    nextId = Math.max(nextId, job.id + 1);
    nextRun = Math.max(nextRun, record.path("runNumber").asLong(0) + 1);
    return job;
  }

  /** Keeps the job a {@code job} record makes. */
  private QueuedJob keep(ObjectNode record) {
    QueuedJob job = QueuedJob.fromRecord(record);
    keep(job);
    return job;
  }

  /** Keeps {@code job}, the newest of its site job. */
  void keep(QueuedJob job) {
    jobs.put(job.id, job);
    byRef.put(job.ref, job);
  }

  /** Whether every record's precondition holds, in order. */
  boolean applies(List<ObjectNode> records) {
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
  void applyRecord(ObjectNode record) {
    switch (record.path("r").asText()) {
      case "job" -> enqueue(added(record));
      case "state" -> {
        QueuedJob job = Objects.requireNonNull(jobs.get(record.path("id").asLong()));
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

  /** An {@code agent} record: {@code agent} as heard. */
  static ObjectNode agentRecord(Agent agent) {
    ObjectNode record = JsonNodeFactory.instance.objectNode();
    record.put("r", "agent");
    record.put("name", agent.name());
    agent.labels().forEach(record.putArray("labels")::add);
    record.put("capacity", agent.capacity());
    record.put("seen", agent.lastSeen().toEpochMilli());
    record.put("address", agent.address());
    return record;
  }

  /** Replaces the whole queue with a snapshot's (records as {@link #snapshot} writes them). */
  void loadSnapshot(List<ObjectNode> records) {
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
        case "job" -> keep(record);
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

  /** The whole queue as records, in the order {@link #loadSnapshot} reads them. */
  List<ObjectNode> snapshot() {
    List<ObjectNode> records = new ArrayList<>();
    ObjectNode runs = runsRecord();
    runs.put("nextId", nextId);
    runs.put("served", served);
    records.add(runs);
    addReuseRecords(records);
    for (Agent agent : agents.values()) {
      records.add(agentRecord(agent));
    }
    addJobRecords(records);
    for (Map.Entry<String, ArrayDeque<QueuedJob>> e : queues.entrySet()) {
      ObjectNode queue = JsonNodeFactory.instance.objectNode();
      queue.put("r", "queue");
      queue.put("key", e.getKey());
      Long when = lastServed.get(e.getKey());
      if (when != null) {
        queue.put("served", when);
      }
      ArrayNode ids = queue.putArray("jobs");
      e.getValue().forEach(job -> ids.add(job.id));
      records.add(queue);
    }
    return records;
  }

  /**
   * Forgets the ended jobs past the newest {@code keepEnded} and returns what is live as the single
   * box's log records: every job kept, and the input keys of passed jobs.
   */
  List<ObjectNode> compacted() {
    pruneEnded();
    List<ObjectNode> live = new ArrayList<>();
    live.add(runsRecord());
    addReuseRecords(live);
    addJobRecords(live);
    return live;
  }

  private ObjectNode runsRecord() {
    ObjectNode runs = JsonNodeFactory.instance.objectNode();
    runs.put("r", "runs");
    runs.put("next", nextRun);
    return runs;
  }

  private void addReuseRecords(List<ObjectNode> records) {
    for (Map.Entry<String, String> e : passed.entrySet()) {
      ObjectNode reuse = JsonNodeFactory.instance.objectNode();
      reuse.put("r", "reuse");
      reuse.put("key", e.getKey());
      reuse.put("from", e.getValue());
      records.add(reuse);
    }
  }

  private void addJobRecords(List<ObjectNode> records) {
    for (QueuedJob job : jobs.values()) {
      records.add(job.jobRecord());
      records.add(job.stateRecord());
    }
  }

  /** Keeps the newest {@code keepEnded} ended jobs. */
  void pruneEnded() {
    int ended = 0;
    for (QueuedJob job : jobs.values()) {
      if (job.state.ended()) {
        ended++;
      }
    }
    for (Iterator<QueuedJob> it = jobs.values().iterator(); it.hasNext() && ended > keepEnded; ) {
      QueuedJob job = it.next();
      if (job.state.ended()) {
        it.remove();
        byRef.remove(job.ref, job);
        ended--;
      }
    }
  }

  /** A passed job's inputs, so an identical job is reused; the oldest forgotten past the bound. */
  void remember(QueuedJob job) {
    remember(
        Objects.requireNonNull(job.key),
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

  void enqueue(QueuedJob job) {
    queues.computeIfAbsent(job.spec.queueKey(), k -> new ArrayDeque<>()).addLast(job);
    queued++;
  }

  void dequeue(QueuedJob job) {
    ArrayDeque<QueuedJob> queue = queues.get(job.spec.queueKey());
    if (queue != null && queue.remove(job)) {
      queued--;
    }
  }

  /**
   * The first waiter, in the order they came, that is still open, holds fewer jobs than its
   * capacity and fits a queued job, with that job ({@link #pick}); closed waiters are dropped on
   * the way. The waiter stays in the list: the caller removes it once it is given the job.
   */
  @Nullable Match nextMatch() {
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

  // ---- reads, each holding the lock ----

  /** One job's view, or 404. */
  synchronized ObjectNode view(long id) {
    QueuedJob job = jobs.get(id);
    if (job == null) {
      throw HttpError.notFound("job " + id + " is not known to the coordinator");
    }
    return job.view();
  }

  /** Every job kept, newest first: queued, running and recently ended. */
  synchronized List<ObjectNode> views() {
    List<ObjectNode> list = new ArrayList<>();
    List<QueuedJob> all = new ArrayList<>(jobs.values());
    all.sort(Comparator.comparingLong((QueuedJob j) -> j.id).reversed());
    for (QueuedJob job : all) {
      list.add(job.view());
    }
    return list;
  }

  /** The agents heard since the start, with the jobs each holds now. */
  synchronized List<ObjectNode> agentViews() {
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

  /** Whether a job of {@code job}'s run is kept. */
  synchronized boolean ownsRun(JobRef job) {
    for (QueuedJob known : jobs.values()) {
      if (known.ref.host().equals(job.host()) && known.ref.run().equals(job.run())) {
        return true;
      }
    }
    return false;
  }
}
