package io.soilci.server.coordinator;

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
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
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

  private final CoordinatorSettings settings;
  private final QueueLog log;
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
  private long nextId = 1;
  private long nextRun = 1;
  private long served;
  private long compactAt;
  private int queued;

  private Coordinator(
      CoordinatorSettings settings,
      QueueLog log,
      Clock clock,
      Hooks hooks,
      ReusedJobs site,
      ScheduledExecutorService timer) {
    this.settings = settings;
    this.log = log;
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
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "soil-coordinator");
              t.setDaemon(true);
              return t;
            });
    Coordinator coordinator = new Coordinator(settings, log, clock, hooks, site, timer);
    coordinator.replay(records);
    long tick = Math.max(100, Math.min(1000, settings.lease().toMillis() / 4));
    var unused = timer.scheduleWithFixedDelay(coordinator::tick, tick, tick, TimeUnit.MILLISECONDS);
    return coordinator;
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
    List<QueuedJob> reused = new ArrayList<>();
    ObjectNode answer;
    HookEvent finished;
    synchronized (this) {
      RunId run = submission.runId().orElse(new RunId("soil-" + nextRun));
      int toQueue = 0;
      List<QueuedJob> made = new ArrayList<>();
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
      log.append(records);
      nextId = id;
      if (submission.runId().isEmpty()) {
        nextRun++;
      }
      answer = JsonNodeFactory.instance.objectNode();
      answer.put("runId", run.value());
      answer.put("workerHost", WorkerHost.GITHUB.id());
      ArrayNode list = answer.putArray("jobs");
      for (QueuedJob job : made) {
        jobs.put(job.id, job);
        byRef.put(job.ref, job);
        if (job.state == JobState.QUEUED) {
          enqueue(job);
        }
        list.add(job.view());
      }
      LOG.info(
          "{} submitted run {}: {} jobs, {} reused", submitter, run, made.size(), reused.size());
      finished = reused.size() == made.size() ? runFinished(made.get(0)) : null;
      maybeCompact();
    }
    for (QueuedJob job : reused) {
      site.reused(job.ref, java.util.Objects.requireNonNull(job.reusedFrom));
    }
    if (finished != null) {
      hooks.submit(finished);
    }
    dispatch();
    return answer;
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
      agents.put(
          agent,
          new Agent(agent, JobSpec.sortedLabels(labels), capacity, clock.instant(), address));
      waiters.add(
          new Waiter(
              agent, Set.copyOf(labels), capacity, clock.millis() + wait.toMillis(), open, answer));
    }
    dispatch();
  }

  /** Gives queued jobs to waiting agents; answers outside the lock. */
  private void dispatch() {
    List<Runnable> answers = new ArrayList<>();
    synchronized (this) {
      for (Iterator<Waiter> it = waiters.iterator(); it.hasNext(); ) {
        Waiter waiter = it.next();
        if (!waiter.open().getAsBoolean()) {
          it.remove();
          continue;
        }
        if (holding(waiter.agent()) >= waiter.capacity()) {
          continue;
        }
        QueuedJob job = pick(waiter);
        if (job == null) {
          continue;
        }
        ObjectNode saved = job.saved();
        dequeue(job);
        job.state = JobState.RUNNING;
        job.agent = waiter.agent();
        job.attempts++;
        job.changedMillis = clock.millis();
        job.leaseUntilMillis = job.changedMillis + settings.lease().toMillis();
        job.cancelRequested = false;
        try {
          log.append(List.of(job.stateRecord()));
        } catch (IOException e) {
          job.applyState(saved);
          enqueue(job);
          LOG.error("cannot write the queue log; job {} stays queued", job.id, e);
          break;
        }
        lastServed.put(job.spec.queueKey(), ++served);
        it.remove();
        ObjectNode assignment = job.assignment(settings.lease().toSeconds());
        answers.add(() -> waiter.answer().accept(Optional.of(assignment)));
      }
      maybeCompactQuietly();
    }
    answers.forEach(Runnable::run);
  }

  private int holding(String agent) {
    int count = 0;
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
        if (!job.setupFailedOn.containsKey(waiter.agent())) {
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

  // ---- leases ----

  /** The agent's job is alive: its lease renewed. Answers whether it was asked to cancel. */
  public ObjectNode heartbeat(String agent, long id) {
    synchronized (this) {
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
    if (job.state == JobState.RUNNING
        && agent.equals(job.agent)
        && clock.millis() > job.leaseUntilMillis) {
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
    synchronized (this) {
      long now = clock.millis();
      for (QueuedJob job : List.copyOf(jobs.values())) {
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
    String agent = java.util.Objects.requireNonNull(job.agent);
    job.expiredOn.add(agent);
    job.changedMillis = clock.millis();
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
    try {
      log.append(List.of(job.stateRecord()));
    } catch (IOException e) {
      job.applyState(saved);
      LOG.error("cannot write the queue log; job {} stays leased", job.id, e);
      return false;
    }
    LOG.warn("job {} ({}): {}{}", job.id, job.ref, why, last ? "; ended as lost" : "; requeued");
    if (!last) {
      enqueue(job);
    }
    return last;
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
    QueuedJob job;
    String hook = null;
    HookEvent run;
    synchronized (this) {
      job = held(agent, id, "outcome " + outcome.id());
      ObjectNode saved = job.saved();
      job.changedMillis = clock.millis();
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
      try {
        log.append(List.of(job.stateRecord()));
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
      if (outcome == Outcome.SETUP_FAILED) {
        hook = HookEvent.JOB_SETUP_FAILED;
      } else if (job.state == JobState.CANCELLED) {
        hook = HookEvent.JOB_CANCELLED;
      }
      LOG.info("job {} ({}) by {}: {} ({})", id, job.ref, agent, outcome.id(), reason);
      run = job.state.ended() ? runFinished(job) : null;
      maybeCompact();
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
    boolean endedNow = false;
    HookEvent run = null;
    synchronized (this) {
      job = jobs.get(id);
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
      ObjectNode saved = job.saved();
      job.changedMillis = clock.millis();
      if (job.state == JobState.QUEUED) {
        job.state = JobState.CANCELLED;
        job.reason = "cancelled by " + by + " while queued";
        endedNow = true;
      } else {
        job.cancelRequested = true;
        job.reason = "cancel asked by " + by;
      }
      try {
        log.append(List.of(job.stateRecord()));
      } catch (IOException e) {
        job.applyState(saved);
        throw e;
      }
      if (endedNow) {
        dequeue(job);
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
    if (log.records() >= compactAt) {
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
    log.rewrite(live);
    compactAt = Math.max(1_000, live.size() * 2L);
  }

  /** For tests: the records the log holds now. */
  synchronized long logRecords() {
    return log.records();
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
    synchronized (this) {
      log.close();
    }
  }
}
