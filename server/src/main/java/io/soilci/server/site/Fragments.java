package io.soilci.server.site;

import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Rendered pieces of pages (a run's card, its raw-page rows, its JSON, a job's task rows), each
 * kept with the immutable index values it was made from and reused while those are the very same
 * objects. So a page of 50 runs re-renders only the run that changed: the cost of an event does not
 * grow with the history shown.
 */
final class Fragments {
  /** Beyond this many pieces the cache starts over; a rebuild touches every run once. */
  private static final int MAX_ENTRIES = 20_000;

  private final ConcurrentHashMap<String, Entry> cache = new ConcurrentHashMap<>();

  /** The value for {@code key} made from {@code sources}, made again only when they changed. */
  @SuppressWarnings("unchecked")
  <T> T get(String key, List<?> sources, Supplier<T> make) {
    Entry entry = cache.get(key);
    if (entry != null && sameObjects(entry.sources(), sources)) {
      return (T) entry.value();
    }
    T value = make.get();
    if (cache.size() >= MAX_ENTRIES) {
      cache.clear();
    }
    cache.put(key, new Entry(List.copyOf(sources), value));
    return value;
  }

  private static boolean sameObjects(List<?> a, List<?> b) {
    if (a.size() != b.size()) {
      return false;
    }
    for (int i = 0; i < a.size(); i++) {
      if (!same(a.get(i), b.get(i))) {
        return false;
      }
    }
    return true;
  }

  /** Index values are immutable and replaced on change: the same object or not. Counts: equal. */
  private static boolean same(Object a, Object b) {
    return a == b || (a instanceof Integer && a.equals(b));
  }

  private record Entry(List<?> sources, Object value) {}
}
