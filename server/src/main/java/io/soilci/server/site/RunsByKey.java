package io.soilci.server.site;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Set;
import java.util.TreeSet;

/** Runs filed under string keys (commit, day, status run id); a run may sit under several. */
final class RunsByKey {
  private final Map<String, NavigableSet<RunKey>> runs = new HashMap<>();

  void move(RunKey run, Set<String> from, Set<String> to) {
    for (String key : from) {
      NavigableSet<RunKey> set = runs.get(key);
      if (set != null && set.remove(run) && set.isEmpty()) {
        runs.remove(key);
      }
    }
    for (String key : to) {
      runs.computeIfAbsent(key, k -> new TreeSet<>()).add(run);
    }
  }

  /** The runs under {@code key}, newest first. */
  List<RunKey> newestFirst(String key) {
    NavigableSet<RunKey> set = runs.get(key);
    return set == null ? List.of() : List.copyOf(set.descendingSet());
  }

  Set<String> keys() {
    return Set.copyOf(runs.keySet());
  }
}
