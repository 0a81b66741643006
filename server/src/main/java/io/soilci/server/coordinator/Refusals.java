package io.soilci.server.coordinator;

import io.soilci.result.JobRef;
import io.soilci.result.SiteLayout;
import io.soilci.server.http.HttpError;
import org.jspecify.annotations.Nullable;

/**
 * Why a request about a job is refused, each refusal precise: an agent reporting on a job it does
 * not hold, a worker publishing a coordinator job whose lease it does not hold, a cancel of a job
 * that cannot be cancelled. Called holding the queue's lock.
 */
final class Refusals {
  private Refusals() {}

  /**
   * Why {@code agent}'s {@code what} of {@code job}, which it does not hold now, is refused: its
   * lease ran out (409), the job already ended (409), or it is not its job (403).
   */
  static HttpError notHeld(QueuedJob job, String agent, String what, CoordinatorSettings settings) {
    if (job.expiredOn.contains(agent)) {
      return HttpError.conflict(
          "agent '"
              + agent
              + "' lost its lease on job "
              + job.id
              + " (no heartbeat within "
              + settings.lease().toSeconds()
              + " s); the job was "
              + (job.state == JobState.LOST ? "ended as lost" : "given out again")
              + ", so "
              + what
              + " is refused");
    }
    if (job.state.ended() && agent.equals(job.agent)) {
      return HttpError.conflict(
          "job " + job.id + " already ended as " + job.state.id() + "; " + what + " is refused");
    }
    return HttpError.forbidden(
        "job "
            + job.id
            + " is not held by agent '"
            + agent
            + "' ("
            + (job.agent == null || job.state == JobState.QUEUED
                ? "it is " + job.state.id()
                : "it is " + job.state.id() + " by agent '" + job.agent + "'")
            + "); an agent may only report on the jobs the coordinator gave it");
  }

  /**
   * Why {@code worker} may not publish {@code ref}, coordinator job {@code job}, now (409): it lost
   * the lease ({@code holder}: it holds the job, but its lease ran out), or another holds it, or
   * the job is queued or ended.
   */
  static HttpError notPublishable(
      QueuedJob job, String worker, JobRef ref, boolean holder, CoordinatorSettings settings) {
    String what = SiteLayout.hostDir(ref.host()) + "/" + ref.run() + "/" + ref.job();
    String refused = "; its results and events for " + what + " are refused";
    if (holder || job.expiredOn.contains(worker)) {
      return HttpError.conflict(
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
    return HttpError.conflict(
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

  /** {@code job} (job {@code id}, null when unknown) if it may be cancelled now, or the refusal. */
  static QueuedJob cancellable(@Nullable QueuedJob job, long id) {
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
}
