package io.soilci.server.events;

import io.soilci.result.JobRef;
import io.soilci.server.auth.JobClaims;
import io.soilci.server.cluster.SiteChanges;
import io.soilci.server.http.HttpError;
import io.soilci.server.live.LiveChanges;
import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Which worker may send a job's events now, the one owner of that rule: a running job (not done,
 * not declared lost) whose live log is another worker's is refused (409) to every other worker with
 * the host's scope, its start, task-start, task-done and done events alike. Once the job is done,
 * or declared lost when its lease ran out ({@code jobLeaseSeconds}), any worker with the scope may
 * start it again. A job the coordinator gave out is the coordinator's to decide ({@link
 * JobClaims#decides}): its new attempt's agent starts it. The rule is checked and the event applied
 * under the job's lock, so of two workers' events at once only one passes it (the first to take the
 * job) and the other is refused naming it. The locks are striped (jobs that share one wait for each
 * other's events) and this server's: in the distributed mode, two starts of one job sent to two
 * replicas at the same instant are not kept apart.
 */
final class JobOwnership {
  private static final int STRIPES = 256;

  private final LiveChanges live;
  private final SiteChanges changes;
  private final JobClaims claims;
  private final ReentrantLock[] locks = new ReentrantLock[STRIPES];

  JobOwnership(LiveChanges live, SiteChanges changes, JobClaims claims) {
    this.live = live;
    this.changes = changes;
    this.claims = claims;
    for (int i = 0; i < STRIPES; i++) {
      locks[i] = new ReentrantLock();
    }
  }

  /** An event's changes of the site and the live logs, made once its worker may send it. */
  @FunctionalInterface
  interface Accepted {
    void apply() throws IOException;
  }

  /**
   * Applies {@code accepted} if {@code worker} may send the job's {@code event} now, else throws
   * the 409 that names the job's worker; no other event of the job comes between the two.
   */
  void apply(JobRef ref, String worker, String event, Accepted accepted) throws IOException {
    ReentrantLock lock = locks[Math.floorMod(ref.toString().hashCode(), STRIPES)];
    lock.lock();
    try {
      requireMaySend(ref, worker, event);
      accepted.apply();
    } finally {
      lock.unlock();
    }
  }

  private void requireMaySend(JobRef ref, String worker, String event) {
    if (claims.decides(ref)) {
      return;
    }
    Optional<String> owner = live.owner(ref);
    if (owner.isEmpty() || owner.get().equals(worker) || !changes.site().running(ref)) {
      return;
    }
    String running =
        ref
            + " is running, started by worker '"
            + owner.get()
            + "', whose live log it is; worker '"
            + worker
            + "' may not ";
    if (event.equals("start")) {
      throw HttpError.conflict(
          running
              + "start it until its done event, or until it is declared lost (no word from its"
              + " worker for jobLeaseSeconds): publish under another run id, or wait");
    }
    throw HttpError.conflict(
        running
            + "send its "
            + event
            + " event: only worker '"
            + owner.get()
            + "' may, until the job's done event or until it is declared lost (no word from its"
            + " worker for jobLeaseSeconds); send the job's events with the token of the worker"
            + " that started it");
  }
}
