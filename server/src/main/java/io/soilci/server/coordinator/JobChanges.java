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
 * The changes a job goes through (given out, its lease run out, reported, cancelled), each made the
 * same on a single box (in place, then logged) and in the distributed mode (made to propose, then
 * undone until the stream applies it: {@link #proposed}). Called holding the queue's lock.
 */
final class JobChanges {
  private final CoordinatorSettings settings;
  private final Clock clock;
  private final QueueState state;

  JobChanges(CoordinatorSettings settings, Clock clock, QueueState state) {
    this.settings = settings;
    this.clock = clock;
    this.state = state;
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
    for (QueueState.Agent agent : state.agents.values()) {
      if (!job.setupFailedOn.containsKey(agent.name())
          && job.spec.fits(Set.copyOf(agent.labels()))
          && !agent.lastSeen().isBefore(since)) {
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
