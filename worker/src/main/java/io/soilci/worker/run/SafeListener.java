package io.soilci.worker.run;

import io.soilci.result.TaskName;
import io.soilci.result.TaskRow;
import java.io.PrintWriter;

/** Calls a {@link JobListener} so that its failure never fails the job: it is reported once. */
final class SafeListener {
  private final JobListener listener;
  private final PrintWriter err;
  private boolean warned;

  SafeListener(JobListener listener, PrintWriter err) {
    this.listener = listener;
    this.err = err;
  }

  void jobStarted(GitFacts commit) {
    call(() -> listener.jobStarted(commit));
  }

  void taskStarted(TaskName task) {
    call(() -> listener.taskStarted(task));
  }

  void taskFinished(TaskRow row) {
    call(() -> listener.taskFinished(row));
  }

  private void call(Runnable event) {
    try {
      event.run();
    } catch (RuntimeException e) {
      if (!warned) {
        warned = true;
        err.println("soil-worker: reporting progress failed, the job goes on: " + e.getMessage());
        err.flush();
      }
    }
  }
}
