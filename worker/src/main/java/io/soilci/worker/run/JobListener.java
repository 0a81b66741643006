package io.soilci.worker.run;

import io.soilci.result.TaskName;
import io.soilci.result.TaskRow;

/**
 * Hears a job's progress as it runs, on the runner's thread: the live events a server turns into
 * pages. Implementations must not throw for a failed delivery; a job never fails because its
 * progress could not be reported.
 */
public interface JobListener {
  /** Listens to nothing. */
  JobListener NONE = new JobListener() {};

  /** Tells {@code first}, then {@code second}, of every step. */
  static JobListener both(JobListener first, JobListener second) {
    if (first == NONE) {
      return second;
    }
    if (second == NONE) {
      return first;
    }
    return new JobListener() {
      @Override
      public void jobStarted(GitFacts commit) {
        first.jobStarted(commit);
        second.jobStarted(commit);
      }

      @Override
      public void taskStarted(TaskName task) {
        first.taskStarted(task);
        second.taskStarted(task);
      }

      @Override
      public void taskFinished(TaskRow row) {
        first.taskFinished(row);
        second.taskFinished(row);
      }
    };
  }

  /**
   * The job is about to run its first task; {@code commit} is the commit checked out when it
   * started, asked of git once for the whole run ({@link GitFacts#get} waits for its answer).
   */
  default void jobStarted(GitFacts commit) {}

  /** {@code task} is starting. */
  default void taskStarted(TaskName task) {}

  /** A task ended; {@code row} is its line of the task table. */
  default void taskFinished(TaskRow row) {}
}
