package io.soilci.worker.merge;

import org.jspecify.annotations.Nullable;

/**
 * What the status API says of one job: not reported yet, reported with a status, or unreadable.
 *
 * @param status the job's largest task status, when reported
 * @param problem why the status could not be read, when it could not
 */
record JobState(String job, @Nullable Integer status, @Nullable String problem) {
  static JobState missing(String job) {
    return new JobState(job, null, null);
  }

  static JobState reported(String job, int status) {
    return new JobState(job, status, null);
  }

  static JobState errored(String job, String problem) {
    return new JobState(job, null, problem);
  }

  boolean reported() {
    return status != null || problem != null;
  }

  boolean green() {
    return status != null && status == 0;
  }

  /** Why this job blocks a merge, e.g. {@code job 'b' failed (status 1)}. */
  String whyNotGreen() {
    if (problem != null) {
      return "job '" + job + "' has an unreadable status (" + problem + ")";
    }
    if (status == null) {
      return "job '" + job + "' never reported";
    }
    return "job '" + job + "' failed (status " + status + ")";
  }
}
