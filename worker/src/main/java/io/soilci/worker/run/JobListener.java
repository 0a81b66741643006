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

  /** The job is about to run its first task. */
  default void jobStarted() {}

  /** {@code task} is starting. */
  default void taskStarted(TaskName task) {}

  /** A task ended; {@code row} is its line of the task table. */
  default void taskFinished(TaskRow row) {}
}
