package io.soilci.server.coordinator;

import java.time.Duration;

/**
 * The coordinator's bounds.
 *
 * @param maxQueuedJobs jobs waiting for an agent at most; a submit past it gets 503
 * @param maxJobsPerSubmit jobs one submit may hold
 * @param lease how long an agent may go without a heartbeat before its job is requeued
 * @param maxAttempts leases a job may get (expired leases and setup failures count); then it ends
 * @param keepEnded ended jobs kept for the pages and the API (the oldest dropped first)
 */
public record CoordinatorSettings(
    int maxQueuedJobs, int maxJobsPerSubmit, Duration lease, int maxAttempts, int keepEnded) {
  public static final CoordinatorSettings DEFAULTS =
      new CoordinatorSettings(10_000, 1_000, Duration.ofSeconds(60), 3, 1_000);

  public CoordinatorSettings {
    if (maxQueuedJobs < 1 || maxJobsPerSubmit < 1 || maxAttempts < 1 || keepEnded < 1) {
      throw new IllegalArgumentException("coordinator bounds must be >= 1");
    }
    if (lease.isNegative() || lease.isZero()) {
      throw new IllegalArgumentException("coordinator lease must be positive: " + lease);
    }
  }
}
