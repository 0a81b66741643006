package io.soilci.worker.publish;

import io.soilci.worker.WorkerFailure;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** One request tried until it succeeds, gets a 4xx, or the policy's time is up. */
final class RetryingCall {
  private static final Duration MIN_ATTEMPT_TIMEOUT = Duration.ofSeconds(30);

  /** One attempt; {@code timeout} bounds it. */
  interface Attempt {
    Answer send(Duration timeout) throws IOException;
  }

  private final SoilServer server;
  private final String what;
  private final RetryPolicy retry;

  RetryingCall(SoilServer server, String what, RetryPolicy retry) {
    this.server = server;
    this.what = what;
    this.retry = retry;
  }

  void run(Attempt attempt) {
    long deadline = System.nanoTime() + retry.totalTime().toNanos();
    for (int number = 1; ; number++) {
      Answer answer = send(attempt, remaining(deadline));
      if (answer.succeeded() || !answer.retryable()) {
        answer.requireSuccess(what, server.base());
        return;
      }
      Duration wait = retry.delayAfter(number, answer.retryAfter());
      if (remaining(deadline).compareTo(wait) < 0) {
        throw giveUp(answer, number);
      }
      server
          .warnings()
          .printf(
              "soil-worker: %s: %s; attempt %d failed, trying again in %.1f s%n",
              what, answer.describe(), number, wait.toMillis() / 1000.0);
      sleep(wait);
    }
  }

  private Answer send(Attempt attempt, Duration remaining) {
    Duration timeout =
        remaining.compareTo(MIN_ATTEMPT_TIMEOUT) < 0 ? MIN_ATTEMPT_TIMEOUT : remaining;
    try {
      return attempt.send(timeout);
    } catch (IOException e) {
      throw new WorkerFailure(what + " failed: " + e.getMessage(), e);
    }
  }

  private WorkerFailure giveUp(Answer answer, int attempts) {
    return new WorkerFailure(
        what
            + " failed after "
            + attempts
            + (attempts == 1 ? " attempt: " : " attempts: ")
            + answer.describe()
            + "; check that the server is up and --server is right");
  }

  private static Duration remaining(long deadline) {
    return Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
  }

  private static void sleep(Duration wait) {
    try {
      TimeUnit.NANOSECONDS.sleep(wait.toNanos());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new WorkerFailure("interrupted while waiting to try again", e);
    }
  }
}
