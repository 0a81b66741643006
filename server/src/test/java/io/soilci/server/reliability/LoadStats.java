package io.soilci.server.reliability;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Latencies and outcomes of one kind of request (uploads, reads), safe to add to from threads. */
final class LoadStats {
  private final String name;
  private final List<Long> micros = new ArrayList<>();
  private final Map<String, Integer> outcomes = new TreeMap<>();

  LoadStats(String name) {
    this.name = name;
  }

  synchronized void add(String outcome, long nanos) {
    outcomes.merge(outcome, 1, Integer::sum);
    if (outcome.equals("200")) {
      micros.add(nanos / 1000);
    }
  }

  synchronized int count(String outcome) {
    return outcomes.getOrDefault(outcome, 0);
  }

  /** Outcomes other than the expected ones. */
  synchronized Map<String, Integer> unexpected(String... expected) {
    Map<String, Integer> other = new TreeMap<>(outcomes);
    for (String e : expected) {
      other.remove(e);
    }
    return other;
  }

  synchronized double percentileMillis(double p) {
    if (micros.isEmpty()) {
      return Double.NaN;
    }
    List<Long> sorted = new ArrayList<>(micros);
    Collections.sort(sorted);
    int index = (int) Math.min(sorted.size() - 1, Math.ceil(p / 100 * sorted.size()) - 1);
    return sorted.get(Math.max(0, index)) / 1000.0;
  }

  @Override
  public synchronized String toString() {
    return String.format(
        "%s: %s, p50 %.1f ms, p99 %.1f ms, max %.1f ms",
        name, outcomes, percentileMillis(50), percentileMillis(99), percentileMillis(100));
  }
}
