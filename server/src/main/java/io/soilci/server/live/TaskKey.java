package io.soilci.server.live;

import io.soilci.result.JobRef;
import io.soilci.result.TaskName;

/** One task of one job, as {@code github-jobs/4101/cpp/build}. */
record TaskKey(JobRef job, TaskName task) {
  @Override
  public String toString() {
    return job + "/" + task;
  }
}
