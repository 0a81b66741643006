package io.soilci.server.http;

import java.util.concurrent.atomic.LongAdder;

/** A Prometheus histogram of durations in seconds, with fixed buckets. */
final class Histogram {
  private static final double[] BOUNDS = {0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300};

  private final LongAdder[] buckets = new LongAdder[BOUNDS.length];
  private final LongAdder count = new LongAdder();
  private final LongAdder nanos = new LongAdder();

  Histogram() {
    for (int i = 0; i < buckets.length; i++) {
      buckets[i] = new LongAdder();
    }
  }

  void observe(long durationNanos) {
    double seconds = durationNanos / 1e9;
    for (int i = 0; i < BOUNDS.length; i++) {
      if (seconds <= BOUNDS[i]) {
        buckets[i].increment();
        break;
      }
    }
    count.increment();
    nanos.add(durationNanos);
  }

  void writeTo(PromText out, String name, String help) {
    out.family(name, "histogram", help);
    long cumulative = 0;
    for (int i = 0; i < BOUNDS.length; i++) {
      cumulative += buckets[i].sum();
      out.sample(name + "_bucket", PromText.label("le", Double.toString(BOUNDS[i])), cumulative);
    }
    // Read apart from the buckets: +Inf is never below the last bucket.
    long total = Math.max(count.sum(), cumulative);
    out.sample(name + "_bucket", PromText.label("le", "+Inf"), total);
    out.sample(name + "_sum", "", nanos.sum() / 1e9);
    out.sample(name + "_count", "", total);
  }
}
