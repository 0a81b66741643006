package io.soilci.server.logview;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The facts of recently viewed logs, keyed by the zip's version and the entry: a log is read whole
 * once, on its first view; later windows and views use its offsets. At most {@code capacity} logs
 * (each a few KB, whatever the log's size).
 */
public final class LogFactsCache {
  private final int capacity;
  private final ErrorPatterns patterns;
  private final Map<String, LogFacts> facts;

  public LogFactsCache(int capacity, ErrorPatterns patterns) {
    this.capacity = capacity;
    this.patterns = patterns;
    this.facts =
        new LinkedHashMap<>(16, 0.75f, true) {
          private static final long serialVersionUID = 1L;

          @Override
          protected boolean removeEldestEntry(Map.Entry<String, LogFacts> eldest) {
            return size() > LogFactsCache.this.capacity;
          }
        };
  }

  /** The facts of the log {@code key}, scanning {@code source} if not known yet. */
  public LogFacts get(String key, LogSource source) throws IOException {
    synchronized (this) {
      LogFacts known = facts.get(key);
      if (known != null) {
        return known;
      }
    }
    LogFacts scanned;
    try (var in = source.open()) {
      scanned = LogScan.scan(in, patterns);
    }
    synchronized (this) {
      facts.put(key, scanned);
    }
    return scanned;
  }
}
