package io.soilci.worker.publish;

import io.soilci.result.JobRef;
import io.soilci.result.TaskName;
import io.soilci.result.TaskRow;
import io.soilci.worker.WorkerFailure;
import java.time.Duration;
import java.util.Map;

/**
 * Tells the server as a job runs: job start, each task's start and end. A failed event costs at
 * most {@code timeout} and one log line; after {@value #GIVE_UP_AFTER} failures in a row the rest
 * are skipped, so a dead server slows a job by seconds, never fails it. A refusal of the token
 * (401, 403), here or by the job's live log, ends them at once ({@link TokenRefusal}).
 */
final class LiveEvents {
  static final int GIVE_UP_AFTER = 3;

  private final SoilServer server;
  private final JobRef job;
  private final Duration timeout;
  private final TokenRefusal refusal;
  private int failuresInARow;

  public LiveEvents(SoilServer server, JobRef job, Duration timeout) {
    this(server, job, timeout, new TokenRefusal(server.warnings()));
  }

  /** Events that stop once {@code refusal} (shared with the job's live log) is refused. */
  LiveEvents(SoilServer server, JobRef job, Duration timeout, TokenRefusal refusal) {
    this.server = server;
    this.job = job;
    this.timeout = timeout;
    this.refusal = refusal;
  }

  /**
   * The job started on the commit {@code facts} describe (JOB.json's keys and values); {@code
   * updateStatusApi}: the job will write its status file, so the server writes one if it declares
   * the job lost.
   */
  public void jobStarted(Map<String, String> facts, boolean updateStatusApi) {
    deliver(Event.start(job, facts, updateStatusApi));
  }

  /** {@code task} is starting. */
  public void taskStarted(TaskName task) {
    deliver(Event.taskStart(job, task));
  }

  /** {@code row}'s task ended. */
  public void taskFinished(TaskRow row) {
    deliver(Event.taskDone(job, row));
  }

  /** True once events were given up on. */
  public boolean gaveUp() {
    return failuresInARow >= GIVE_UP_AFTER || refusal.refused();
  }

  private void deliver(Event event) {
    if (gaveUp()) {
      return;
    }
    Answer answer;
    try {
      answer = server.sendOnce(event, timeout);
    } catch (RuntimeException e) {
      failed(e instanceof WorkerFailure ? String.valueOf(e.getMessage()) : event + " failed: " + e);
      return;
    }
    if (answer.succeeded()) {
      failuresInARow = 0;
      return;
    }
    String failure = String.valueOf(answer.failure(event.toString(), server.base()).getMessage());
    if (answer.refusesToken()) {
      // A refused token stays refused: one line says so, and no further event is sent with it.
      refusal.refuse(failure);
      return;
    }
    failed(failure);
  }

  private void failed(String message) {
    failuresInARow++;
    server
        .warnings()
        .println(
            "soil-worker: "
                + message
                + (gaveUp() ? "; no more live events for this job" : "; the job goes on"));
  }
}
