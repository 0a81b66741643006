package io.soilci.server.coordinator;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.soilci.result.JobRef;
import io.soilci.server.auth.JobClaims;
import io.soilci.server.coordinator.QueueState.Agent;
import io.soilci.server.coordinator.QueueState.Match;
import io.soilci.server.coordinator.QueueState.Waiter;
import io.soilci.server.coordinator.ReplicatedQueue.Proposal;
import io.soilci.server.hooks.HookEvent;
import io.soilci.server.hooks.Hooks;
import io.soilci.server.http.HttpError;
import io.soilci.server.state.StateLayout;
import io.soilci.threads.Daemons;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
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
 *
 * <p>The queue itself is a {@link QueueState} (every access holds its lock); the changes a job goes
 * through are {@link JobChanges}; the distributed mode's proposals are a {@link ReplicatedQueue}.
 */
public final class Coordinator implements AutoCloseable, JobClaims {
  private static final Logger LOG = LoggerFactory.getLogger(Coordinator.class);

  /** What the site does for a reused job: it shows as passed, its status file written. */
  public interface ReusedJobs {
    void reused(JobRef job, String from) throws IOException;
  }

  private final CoordinatorSettings settings;
  // Exactly one of the two: the single box's log, or the distributed mode's stream.
  private final @Nullable QueueLog log;
  private final @Nullable ReplicatedQueue replicated;
  private final Clock clock;
  private final Hooks hooks;
  private final ReusedJobs site;
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(Daemons.named("soil-coordinator"));
  private final QueueState state;
  private final JobChanges changes;

  private Coordinator(
      CoordinatorSettings settings,
      @Nullable QueueLog log,
      @Nullable QueueReplication stream,
      Clock clock,
      Hooks hooks,
      ReusedJobs site) {
    this.settings = settings;
    this.log = log;
    this.clock = clock;
    this.hooks = hooks;
    this.site = site;
    this.state = new QueueState(settings.keepEnded());
    this.changes = new JobChanges(settings, clock, state);
    this.replicated =
        stream == null ? null : new ReplicatedQueue(stream, state, settings, clock, changes);
  }

  /**
   * Opens the queue kept in {@code STATE/coordinator/queue.log}: jobs queued before a stop or crash
   * are queued again; jobs that were running keep their agent and get a fresh lease.
   */
  public static Coordinator open(
      StateLayout state, CoordinatorSettings settings, Clock clock, Hooks hooks, ReusedJobs site)
      throws IOException {
    List<ObjectNode> records = new ArrayList<>();
    QueueLog log = QueueLog.open(state.coordinatorQueue(), records);
    Coordinator coordinator = new Coordinator(settings, log, null, clock, hooks, site);
    synchronized (coordinator.state) {
      // The agent may still be at work: it gets a whole lease from now to be heard again.
      coordinator.state.replay(records, clock.millis() + settings.lease().toMillis());
      coordinator.compact();
    }
    coordinator.startTimer();
    return coordinator;
  }

  /**
   * The distributed mode's queue: a replicated state machine on {@code stream}. Every change is a
   * proposal published to the stream (its records, with the state it was made from); every replica
   * applies the stream in order from its start ({@link ReplicatedQueue#applyMessage}), and applies
   * a proposal only when the state it was made from is still there, so all end the same. The
   * replica that proposed waits until its own feed applied it, then answers (or proposes again from
   * the newer state). Leases that ran out are ended only by the replica that holds the {@code site}
   * role.
   */
  public static Coordinator replicated(
      QueueReplication stream,
      CoordinatorSettings settings,
      Clock clock,
      Hooks hooks,
      ReusedJobs site) {
    Coordinator coordinator = new Coordinator(settings, null, stream, clock, hooks, site);
    Objects.requireNonNull(coordinator.replicated).start();
    coordinator.startTimer();
    return coordinator;
  }

  private void startTimer() {
    long tick = Math.max(100, Math.min(1000, settings.lease().toMillis() / 4));
    var unused = timer.scheduleWithFixedDelay(this::tick, tick, tick, TimeUnit.MILLISECONDS);
  }

  // ---- submit ----

  /** Queues a submitted run's jobs (or reuses their passed results); all or nothing. */
  public ObjectNode submit(Submission submission, String submitter) throws IOException {
    Planned planned;
    HookEvent finished;
    if (replicated != null) {
      planned =
          replicated.agree(
              "a submit",
              () -> {
                Planned p = Planned.of(submission, state, settings, clock.millis(), true);
                return new Proposal<>(p.records(), p);
              });
      synchronized (state) {
        finished = submitted(planned, submitter);
      }
      afterSubmit(planned, finished);
      return planned.answer();
    }
    synchronized (state) {
      planned = Planned.of(submission, state, settings, clock.millis(), false);
      log().append(planned.records());
      state.submitted(planned.made(), submission.runId().isEmpty());
      finished = submitted(planned, submitter);
      maybeCompact();
    }
    afterSubmit(planned, finished);
    dispatch();
    return planned.answer();
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
        ? JobHooks.runFinished(state.jobs.values(), planned.made().get(0))
        : null;
  }

  private void afterSubmit(Planned planned, @Nullable HookEvent finished) throws IOException {
    for (QueuedJob job : planned.reused()) {
      site.reused(job.ref, Objects.requireNonNull(job.reusedFrom));
    }
    if (finished != null) {
      hooks.submit(finished);
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
    synchronized (state) {
      Agent heard =
          new Agent(agent, JobSpec.sortedLabels(labels), capacity, clock.instant(), address);
      if (replicated == null) {
        state.agents.put(agent, heard);
      } else {
        replicated.publishHeard(heard);
      }
      state.waiters.add(
          new Waiter(
              agent, Set.copyOf(labels), capacity, clock.millis() + wait.toMillis(), open, answer));
    }
    dispatch();
  }

  /** Gives queued jobs to waiting agents; answers outside the lock. */
  private void dispatch() {
    if (replicated != null) {
      replicated.askDispatch();
      return;
    }
    List<Runnable> answers = new ArrayList<>();
    synchronized (state) {
      for (Match match = state.nextMatch(); match != null; match = state.nextMatch()) {
        Waiter waiter = match.waiter();
        QueuedJob job = match.job();
        state.dequeue(job);
        try {
          logged(job, j -> changes.given(j, waiter.agent(), clock.millis()));
        } catch (IOException e) {
          state.enqueue(job);
          LOG.error("cannot write the queue log; job {} stays queued", job.id, e);
          break;
        }
        state.lastServed.put(job.spec.queueKey(), ++state.served);
        state.waiters.remove(match.at());
        ObjectNode assignment = job.assignment(settings.lease().toSeconds());
        answers.add(() -> waiter.answer().accept(Optional.of(assignment)));
      }
      maybeCompactQuietly();
    }
    answers.forEach(Runnable::run);
  }

  // ---- leases ----

  /** The agent's job is alive: its lease renewed. Answers whether it was asked to cancel. */
  public ObjectNode heartbeat(String agent, long id) {
    if (replicated != null) {
      replicated.agree(
          "a heartbeat of job " + id,
          () -> {
            QueuedJob job = held(agent, id, "a heartbeat");
            long until = clock.millis() + settings.lease().toMillis();
            return new Proposal<>(
                List.of(JobChanges.proposed(job, j -> j.leaseUntilMillis = until)), job);
          });
    }
    synchronized (state) {
      QueuedJob job = held(agent, id, "a heartbeat");
      Agent known = state.agents.get(agent);
      if (replicated != null) {
        if (known != null) {
          replicated.publishHeard(
              new Agent(agent, known.labels(), known.capacity(), clock.instant(), known.address()));
        }
      } else {
        job.leaseUntilMillis = clock.millis() + settings.lease().toMillis();
        if (known != null) {
          state.agents.put(
              agent,
              new Agent(
                  known.name(),
                  known.labels(),
                  known.capacity(),
                  clock.instant(),
                  known.address()));
        }
      }
      ObjectNode answer = JsonNodeFactory.instance.objectNode();
      answer.put("id", id);
      answer.put("leaseSeconds", settings.lease().toSeconds());
      answer.put("cancel", job.cancelRequested);
      return answer;
    }
  }

  /**
   * The job {@code agent} holds now, or the precise refusal: unknown (404), another agent's (403),
   * its lease ran out (409), already ended (409).
   */
  private QueuedJob held(String agent, long id, String what) {
    QueuedJob job = state.jobs.get(id);
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
    throw Refusals.notHeld(job, agent, what, settings);
  }

  private void tick() {
    List<QueuedJob> ended = new ArrayList<>();
    List<HookEvent> runs = new ArrayList<>();
    List<Runnable> timedOut = new ArrayList<>();
    if (replicated != null) {
      try {
        replicated.expireLeases(this::lost);
        replicated.endStranded(this::runFinishedHook);
        if (replicated.expiresLeases()) {
          replicated.maybeSnapshot();
        }
      } catch (RuntimeException e) {
        // A timer task that throws is never run again: log, and try on the next tick.
        LOG.error("queue: ending leases or the snapshot failed; trying again", e);
      }
    }
    synchronized (state) {
      long now = clock.millis();
      for (QueuedJob job :
          replicated != null ? List.<QueuedJob>of() : List.copyOf(state.jobs.values())) {
        boolean over;
        if (job.state == JobState.RUNNING && now > job.leaseUntilMillis) {
          over = expire(job);
          if (over) {
            ended.add(job);
          }
        } else {
          over = changes.stranded(job, now) && endStranded(job, now);
        }
        HookEvent run = over ? JobHooks.runFinished(state.jobs.values(), job) : null;
        if (run != null) {
          runs.add(run);
        }
      }
      for (Iterator<Waiter> it = state.waiters.iterator(); it.hasNext(); ) {
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
    try {
      logged(job, j -> changes.expired(j, clock.millis()));
    } catch (IOException e) {
      LOG.error("cannot write the queue log; job {} stays leased", job.id, e);
      return false;
    }
    boolean last = job.state == JobState.LOST;
    LOG.warn(
        "job {} ({}): {}{}", job.id, job.ref, job.reason, last ? "; ended as lost" : "; requeued");
    if (!last) {
      state.enqueue(job);
    }
    return last;
  }

  /**
   * A job queued again after a setup failure, with no agent left that could take it: ended as
   * setup-failed rather than waiting for ever while only agents that failed it ask for work. True
   * when it ended.
   */
  private boolean endStranded(QueuedJob job, long now) {
    try {
      logged(job, j -> changes.endStranded(j, now));
    } catch (IOException e) {
      LOG.error("cannot write the queue log; job {} stays queued", job.id, e);
      return false;
    }
    state.dequeue(job);
    LOG.warn("job {} ({}): {}; ended", job.id, job.ref, job.reason);
    return true;
  }

  /**
   * The distributed mode ended {@code job} (no agent left for its setup, or lost): its run's
   * run-finished hook when it was the run's last job.
   */
  private void runFinishedHook(QueuedJob job) {
    HookEvent run;
    synchronized (state) {
      run = JobHooks.runFinished(state.jobs.values(), job);
    }
    if (run != null) {
      hooks.submit(run);
    }
  }

  /** A job whose lease ran out in the distributed mode ended as lost: its hooks. */
  private void lost(QueuedJob job) {
    hook(HookEvent.JOB_FAILED, job);
    runFinishedHook(job);
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
      synchronized (state) {
        known = state.byRef.containsKey(ref);
      }
      if (known) {
        // Another replica may have ended its lease or given it out: this one must have seen it.
        replicated.catchUp("publishing " + ref);
      }
    }
    synchronized (state) {
      QueuedJob job = state.byRef.get(ref);
      if (job == null) {
        return;
      }
      boolean holder = job.state == JobState.RUNNING && worker.equals(job.agent);
      if (holder && clock.millis() <= job.leaseUntilMillis) {
        return;
      }
      throw Refusals.notPublishable(job, worker, ref, holder, settings);
    }
  }

  @Override
  public boolean decides(JobRef ref) {
    synchronized (state) {
      return state.byRef.containsKey(ref);
    }
  }

  // ---- outcomes ----

  /**
   * {@code agent} is done with job {@code id}: a job that ran (passed, failed, cancelled) ends with
   * it; a setup failure requeues it for another agent (never one whose setup failed for it), until
   * its attempts are used up or no other agent could take it. The answer and the hook show the job
   * as this outcome left it, even when the retry was given out before they are made.
   */
  public ObjectNode outcome(String agent, long id, Outcome outcome, int status, String reason)
      throws IOException {
    QueuedJob left;
    HookEvent run;
    if (replicated != null) {
      left =
          replicated.agree(
              "outcome " + outcome.id() + " of job " + id,
              () -> {
                QueuedJob held = held(agent, id, "outcome " + outcome.id());
                long now = clock.millis();
                ObjectNode record =
                    JobChanges.proposed(
                        held, j -> changes.reported(j, agent, outcome, status, reason, now));
                return new Proposal<>(List.of(record), held.as(record));
              });
      synchronized (state) {
        run = left.state.ended() ? JobHooks.runFinished(state.jobs.values(), left) : null;
      }
    } else {
      synchronized (state) {
        QueuedJob job = held(agent, id, "outcome " + outcome.id());
        logged(job, j -> changes.reported(j, agent, outcome, status, reason, clock.millis()));
        if (job.state == JobState.QUEUED) {
          state.enqueue(job);
        }
        if (job.state == JobState.PASSED && job.key != null) {
          state.remember(job);
        }
        // Once the lock is let go, the next agent may take the job: it is read now.
        left = job.as(job.stateRecord());
        run = job.state.ended() ? JobHooks.runFinished(state.jobs.values(), job) : null;
        maybeCompact();
      }
    }
    LOG.info("job {} ({}) by {}: {} ({})", id, left.ref, agent, outcome.id(), reason);
    if (outcome == Outcome.SETUP_FAILED) {
      hook(HookEvent.JOB_SETUP_FAILED, left);
    } else if (left.state == JobState.CANCELLED) {
      hook(HookEvent.JOB_CANCELLED, left);
    }
    if (run != null) {
      hooks.submit(run);
    }
    dispatch();
    return left.view();
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
          replicated.agree(
              "cancel of job " + id,
              () -> {
                QueuedJob known = Refusals.cancellable(state.jobs.get(id), id);
                long now = clock.millis();
                return new Proposal<>(
                    List.of(JobChanges.proposed(known, j -> JobChanges.cancelled(j, by, now))),
                    known);
              });
      synchronized (state) {
        // Applied: a queued job ended, a running one's agent is told.
        endedNow = job.state == JobState.CANCELLED && !job.cancelRequested;
      }
    } else {
      synchronized (state) {
        job = Refusals.cancellable(state.jobs.get(id), id);
        endedNow = job.state == JobState.QUEUED;
        logged(job, j -> JobChanges.cancelled(j, by, clock.millis()));
        if (job.state == JobState.CANCELLED) {
          state.dequeue(job);
        }
      }
    }
    synchronized (state) {
      if (endedNow) {
        run = JobHooks.runFinished(state.jobs.values(), job);
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

  private ObjectNode view(QueuedJob job) {
    synchronized (state) {
      return job.view();
    }
  }

  /** One job's view, or 404. */
  public ObjectNode job(long id) {
    return state.view(id);
  }

  /** Every job kept, newest first: queued, running and recently ended. */
  public List<ObjectNode> jobs() {
    return state.views();
  }

  /** The agents heard since the start, with the jobs each holds now. */
  public List<ObjectNode> agents() {
    return state.agentViews();
  }

  /** Jobs waiting for an agent now. */
  public int queuedJobs() {
    synchronized (state) {
      return state.queued;
    }
  }

  // ---- hooks ----

  /** Whether the coordinator keeps a job of {@code job}'s run: then it fires its run-finished. */
  public boolean ownsRun(JobRef job) {
    return state.ownsRun(job);
  }

  private void hook(String event, QueuedJob job) {
    hooks.submit(JobHooks.job(event, job));
  }

  // ---- the single box's log ----

  /** Makes {@code change} of {@code job} and writes it to the log; undone when that fails. */
  private void logged(QueuedJob job, Consumer<QueuedJob> change) throws IOException {
    ObjectNode saved = job.saved();
    change.accept(job);
    try {
      log().append(List.of(job.stateRecord()));
    } catch (IOException e) {
      job.applyState(saved);
      throw e;
    }
  }

  private void maybeCompactQuietly() {
    try {
      maybeCompact();
    } catch (IOException e) {
      LOG.error("cannot compact the queue log; it grows until the next try", e);
    }
  }

  private void maybeCompact() throws IOException {
    if (log().due()) {
      compact();
    }
  }

  /**
   * Rewrites the log with what is live: every queued and running job, the newest ended ones (at
   * most {@code keepEnded}), and the input keys of passed jobs.
   */
  private void compact() throws IOException {
    log().rewrite(state.compacted());
  }

  private QueueLog log() {
    return Objects.requireNonNull(log, "the single box's queue log");
  }

  /** For tests: the records the log holds now. */
  long logRecords() {
    synchronized (state) {
      return log().records();
    }
  }

  @Override
  public void close() throws IOException {
    timer.shutdownNow();
    List<Waiter> left;
    synchronized (state) {
      left = List.copyOf(state.waiters);
      state.waiters.clear();
    }
    left.forEach(w -> w.answer().accept(Optional.empty()));
    if (replicated != null) {
      replicated.close();
    }
    synchronized (state) {
      if (log != null) {
        log.close();
      }
    }
  }
}
