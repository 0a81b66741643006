package io.soilci.worker.provider;

import org.jspecify.annotations.Nullable;

/**
 * How running one task went: it completed with an exit status (124 when its timeout fired), or the
 * infrastructure failed and the task's outcome is unknown.
 *
 * @param status the exit status when completed, else -1
 * @param failure what went wrong with the infrastructure, or null when the task completed
 */
public record TaskResult(int status, @Nullable String failure) {
  /** The status Soil records for a task whose timeout fired. */
  public static final int TIMED_OUT = 124;

  public TaskResult {
    if ((failure == null) != (status >= 0 && status <= 255)) {
      throw new IllegalArgumentException("status " + status + " with failure " + failure);
    }
  }

  public static TaskResult completed(int status) {
    return new TaskResult(status, null);
  }

  public static TaskResult timedOut() {
    return completed(TIMED_OUT);
  }

  public static TaskResult infrastructureFailed(String failure) {
    return new TaskResult(-1, failure);
  }

  public boolean completed() {
    return failure == null;
  }
}
