package io.soilci.worker.publish;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * How long to keep trying an upload: exponential back-off with jitter between attempts, capped per
 * wait and bounded in total.
 *
 * @param firstDelay the wait before the second attempt (before jitter)
 * @param maxDelay no single wait is longer, unless the server's {@code Retry-After} asks for it
 * @param totalTime no attempt starts after this much time since the first
 */
record RetryPolicy(Duration firstDelay, Duration maxDelay, Duration totalTime) {
  public RetryPolicy {
    if (firstDelay.isNegative() || maxDelay.compareTo(firstDelay) < 0 || totalTime.isNegative()) {
      throw new IllegalArgumentException("retry policy " + firstDelay + " " + maxDelay);
    }
  }

  /** Half a second doubling to 15 seconds, for at most {@code totalTime}. */
  public static RetryPolicy upTo(Duration totalTime) {
    return new RetryPolicy(Duration.ofMillis(500), Duration.ofSeconds(15), totalTime);
  }

  /**
   * The wait after failed attempt {@code attempt} (1-based): between half and all of the doubled
   * delay, at least what {@code retryAfter} asks for.
   */
  public Duration delayAfter(int attempt, Duration retryAfter) {
    long doubled = firstDelay.toMillis() << Math.min(attempt - 1, 20);
    long capped = Math.min(maxDelay.toMillis(), doubled);
    long jittered = capped / 2 + ThreadLocalRandom.current().nextLong(capped / 2 + 1);
    return Duration.ofMillis(Math.max(jittered, retryAfter.toMillis()));
  }
}
