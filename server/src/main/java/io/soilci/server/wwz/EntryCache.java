package io.soilci.server.wwz;

import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Recently served zip entries, decompressed, up to a byte budget: a popular log is inflated once,
 * not on every request. Held off-heap and read-only, so a response is written straight from it.
 * Keys carry the zip's version, so a replaced zip never serves stale bytes.
 */
final class EntryCache {
  private final long budget;
  private final int maxEntryBytes;
  private long used;
  private final LinkedHashMap<String, ByteBuffer> entries = new LinkedHashMap<>(64, 0.75f, true);

  EntryCache(long budget, int maxEntryBytes) {
    this.budget = budget;
    this.maxEntryBytes = maxEntryBytes;
  }

  boolean fits(long size) {
    return size <= maxEntryBytes && size <= budget;
  }

  synchronized @Nullable ByteBuffer get(String key) {
    return entries.get(key);
  }

  synchronized void put(String key, ByteBuffer bytes) {
    ByteBuffer previous = entries.put(key, bytes);
    used += bytes.capacity() - (previous == null ? 0 : previous.capacity());
    var eldest = entries.entrySet().iterator();
    while (used > budget && eldest.hasNext()) {
      Map.Entry<String, ByteBuffer> e = eldest.next();
      used -= e.getValue().capacity();
      eldest.remove();
    }
  }
}
