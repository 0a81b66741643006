package io.soilci.server.coordinator;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The changes a job goes through (given out, its lease run out, reported, cancelled, ended once no
 * agent is left for its setup), each made the same on a single box (in place, then logged) and in
 * the distributed mode (made to propose, then undone until the stream applies it: {@link
 * #proposed}). Called holding the queue's lock.
 */
final class JobChanges {
  private final CoordinatorSettings settings;
  private final Clock clock;
  private final QueueState state;
  private final long startedMillis;

  JobChanges(CoordinatorSettings settings, Clock clock, QueueState state) {
    this.settings = settings;
    this.clock = clock;
    this.state = state;
    this.startedMillis = clock.millis();
  }

  /** A state record proposing {@code change} of {@code job}, which stays as it is until applied. */
  static ObjectNode proposed(QueuedJob job, Consumer<QueuedJob> change) {
    ObjectNode saved = job.saved();
    change.accept(job);
    job.rev++;
    ObjectNode record = job.stateRecord();
    job.applyState(saved);
    return record;
  }

  /** Changes {@code job} as given to {@code agent} at {@code now}, under a fresh lease. */
  void given(QueuedJob job, String agent, long now) {
    job.state = JobState.RUNNING;
    job.agent = agent;
    job.attempts++;
    job.changedMillis = now;
    job.leaseUntilMillis = now + settings.lease().toMillis();
    job.cancelRequested = false;
  }

  /** Changes {@code job} as its lease ran out at {@code now}; true when it ends (lost). */
  boolean expired(QueuedJob job, long now) {
    String agent = Objects.requireNonNull(job.agent);
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

  /** Changes {@code job} as {@code agent} reported; true when it is queued again. */
  boolean reported(
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
          endSetupFailedEverywhere(job);
        } else {
          job.state = JobState.QUEUED;
          requeue = true;
        }
      }
    }
    return requeue;
  }

  /**
   * Whether {@code job}, queued again after a setup failure, can no longer go anywhere at {@code
   * now}: no agent that has not failed its setup is live ({@link #anotherAgentFits}). Never within
   * a lease of this coordinator's start, while the agents are still being heard again.
   */
  boolean stranded(QueuedJob job, long now) {
    return job.state == JobState.QUEUED
        && !job.setupFailedOn.isEmpty()
        && now - startedMillis >= settings.lease().toMillis()
        && !anotherAgentFits(job);
  }

  /** Changes a {@link #stranded} job as ended at {@code now}: setup-failed, with every reason. */
  void endStranded(QueuedJob job, long now) {
    job.changedMillis = now;
    endSetupFailedEverywhere(job);
  }

  private void endSetupFailedEverywhere(QueuedJob job) {
    job.state = JobState.SETUP_FAILED;
    job.reason =
        "setup failed on every agent that can take it (labels ["
            + String.join(",", job.spec.labels())
            + "], agents heard within "
            + settings.lease().toSeconds()
            + " s): "
            + setupErrors(job);
  }

  /** Each agent's setup error, in the order they failed: {@code agent 'a': reason; …}. */
  private static String setupErrors(QueuedJob job) {
    List<String> each = new ArrayList<>();
    job.setupFailedOn.forEach((agent, why) -> each.add("agent '" + agent + "': " + why));
    return String.join("; ", each);
  }

  /**
   * Whether an agent whose setup has not failed for the job could still take it: one that has its
   * labels and was heard (a poll or a heartbeat) within a lease, or is waiting for work here now (a
   * long poll may outlast a lease). Agents are known from their polls since the server started.
   */
  private boolean anotherAgentFits(QueuedJob job) {
    Instant since = clock.instant().minus(settings.lease());
    for (QueueState.Agent agent : state.agents.values()) {
      if (!job.setupFailedOn.containsKey(agent.name())
          && job.spec.fits(Set.copyOf(agent.labels()))
          && !agent.lastSeen().isBefore(since)) {
        return true;
      }
    }
    for (QueueState.Waiter waiter : state.waiters) {
      if (!job.setupFailedOn.containsKey(waiter.agent())
          && job.spec.fits(waiter.labels())
          && waiter.open().getAsBoolean()) {
        return true;
      }
    }
    return false;
  }

  /** Changes {@code job} as cancelled by {@code by}: ended when queued, else its agent told. */
  static void cancelled(QueuedJob job, String by, long now) {
    job.changedMillis = now;
    if (job.state == JobState.QUEUED) {
      job.state = JobState.CANCELLED;
      job.reason = "cancelled by " + by + " while queued";
    } else {
      job.cancelRequested = true;
      job.reason = "cancel asked by " + by;
    }
  }
}
