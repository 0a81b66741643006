package io.soilci.server.auth;

import io.soilci.result.JobRef;

/**
 * Who may write a job's results and events now, beyond the token's scopes: a job the coordinator
 * gave to an agent is that agent's alone while its lease lasts, so an agent whose lease ran out
 * (the job given to another, or ended) cannot overwrite the new attempt's result.
 */
@FunctionalInterface
public interface JobClaims {
  /** No job is claimed: every worker with the scope may write. */
  JobClaims NONE = (worker, ref) -> {};

  /**
   * Returns when {@code worker} may write {@code ref} now; otherwise throws the {@code HttpError}
   * (409) that names the job and why.
   */
  void check(String worker, JobRef ref);

  /**
   * Whether these claims decide who may write {@code ref} (a job the coordinator gave out): then a
   * new attempt's agent may start it while the old attempt's agent still owns its live log.
   */
  default boolean decides(JobRef ref) {
    return false;
  }
}
