package io.soilci.server.site;

import io.soilci.result.RunId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.NavigableSet;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * The runs of one worker host, oldest first, with lookups by commit, day and status run id, and in
 * the order they arrived.
 */
final class HostRuns {
  /** A run by when it arrived; ties (same millisecond) by its key. */
  private record Arrival(long arrived, RunKey key) implements Comparable<Arrival> {
    @Override
    public int compareTo(Arrival other) {
      int byTime = Long.compare(arrived, other.arrived);
      return byTime != 0 ? byTime : key.compareTo(other.key);
    }
  }

  private final NavigableMap<RunKey, RunState> runs = new TreeMap<>();
  private final NavigableSet<Arrival> arrivals = new TreeSet<>();
  private final RunsByKey byCommit = new RunsByKey();
  private final RunsByKey byDay = new RunsByKey();
  private final RunsByKey byStatusId = new RunsByKey();

  /** Tests with a history page: how many kept jobs list each among their failing tests. */
  private final Map<TestKey, Integer> testPages = new HashMap<>();

  @Nullable RunState get(RunId run) {
    return get(RunKey.of(run));
  }

  @Nullable RunState get(RunKey run) {
    return runs.get(run);
  }

  /** Replaces the run (or removes it when {@code after} has no jobs) and refiles it. */
  void replace(@Nullable RunState before, RunState after) {
    RunKey key = after.key();
    byCommit.move(key, before == null ? Set.of() : before.commits(), after.commits());
    byDay.move(key, days(before), days(after));
    byStatusId.move(key, before == null ? Set.of() : before.statusRunIds(), after.statusRunIds());
    countTestPages(before, -1);
    countTestPages(after, +1);
    if (before != null) {
      arrivals.remove(new Arrival(before.arrived(), before.key()));
    }
    if (after.jobs().isEmpty()) {
      runs.remove(key);
    } else {
      runs.put(key, after);
      arrivals.add(new Arrival(after.arrived(), key));
    }
  }

  /** Up to {@code limit} runs that arrived first, oldest first. */
  List<RunState> firstArrived(int limit) {
    List<RunState> out = new ArrayList<>(Math.min(limit, runs.size()));
    for (Arrival arrival : arrivals) {
      if (out.size() == limit) {
        break;
      }
      out.add(java.util.Objects.requireNonNull(runs.get(arrival.key())));
    }
    return out;
  }

  private void countTestPages(@Nullable RunState run, int delta) {
    if (run == null) {
      return;
    }
    for (TestKey test : run.testPageKeys()) {
      testPages.merge(test, delta, (a, b) -> a + b == 0 ? null : a + b);
    }
  }

  /** True when the test failed in a kept job (among the failing tests its run page shows). */
  boolean hasTestPage(TestKey test) {
    return testPages.containsKey(test);
  }

  /** Every test with a history page. */
  Set<TestKey> testPages() {
    return Set.copyOf(testPages.keySet());
  }

  private static Set<String> days(@Nullable RunState run) {
    return run == null || run.jobs().isEmpty() ? Set.of() : Set.of(run.day());
  }

  int size() {
    return runs.size();
  }

  /** Up to {@code limit} runs, newest first. */
  List<RunState> newest(int limit) {
    List<RunState> out = new ArrayList<>(Math.min(limit, runs.size()));
    for (RunState run : runs.descendingMap().values()) {
      if (out.size() == limit) {
        break;
      }
      out.add(run);
    }
    return out;
  }

  /** Every run, oldest first. */
  List<RunState> all() {
    return List.copyOf(runs.values());
  }

  List<RunState> ofCommit(String commit) {
    return lookup(byCommit.newestFirst(commit));
  }

  List<RunState> ofDay(String day) {
    return lookup(byDay.newestFirst(day));
  }

  List<RunState> ofStatusId(String id) {
    return lookup(byStatusId.newestFirst(id));
  }

  /** Days with runs, newest first. */
  List<String> days() {
    return List.copyOf(new TreeSet<>(byDay.keys()).descendingSet());
  }

  Set<String> commits() {
    return byCommit.keys();
  }

  Set<String> statusIds() {
    return byStatusId.keys();
  }

  private List<RunState> lookup(List<RunKey> keys) {
    List<RunState> out = new ArrayList<>(keys.size());
    for (RunKey key : keys) {
      RunState run = runs.get(key);
      if (run != null) {
        out.add(run);
      }
    }
    return out;
  }
}
