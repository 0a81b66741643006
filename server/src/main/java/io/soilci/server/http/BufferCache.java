package io.soilci.server.http;

import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Bytes served often, kept off-heap and read-only up to a byte budget (least recently used dropped
 * first), so an answer is written straight from them, with the {@link Head} made for them. Each
 * name holds one version: a lookup with another version misses, and storing a new version drops the
 * old one at once, so a replaced file is never served stale and its old bytes do not wait for
 * eviction. Versions are compared with {@code equals}.
 */
public final class BufferCache<V> {
  private record Versioned<V>(V version, ByteBuffer bytes, Head head) {}

  /**
   * A cached body: {@code bytes} is a read-only view of its own (position and limit free to
   * change).
   */
  public record Hit(ByteBuffer bytes, Head head) {}

  private final long budget;
  private final long maxEntryBytes;
  private long used;
  private final LinkedHashMap<String, Versioned<V>> entries = new LinkedHashMap<>(64, 0.75f, true);

  public BufferCache(long budget, long maxEntryBytes) {
    this.budget = budget;
    this.maxEntryBytes = Math.min(budget, maxEntryBytes);
  }

  /** True if {@code size} bytes may be kept. */
  public boolean fits(long size) {
    return size <= maxEntryBytes;
  }

  /** The bytes of {@code version} of {@code name} and their head, or null. */
  public synchronized @Nullable Hit get(String name, V version) {
    Versioned<V> known = entries.get(name);
    return known != null && known.version.equals(version)
        ? new Hit(known.bytes.duplicate(), known.head)
        : null;
  }

  /**
   * Keeps {@code bytes} (read-only, not changed afterwards) as {@code version} of {@code name},
   * described by {@code head}.
   */
  public synchronized void put(String name, V version, ByteBuffer bytes, Head head) {
    if (!fits(bytes.remaining())) {
      return;
    }
    Versioned<V> previous = entries.put(name, new Versioned<>(version, bytes, head));
    used += bytes.remaining() - (previous == null ? 0 : previous.bytes.remaining());
    var eldest = entries.entrySet().iterator();
    while (used > budget && eldest.hasNext()) {
      Map.Entry<String, Versioned<V>> e = eldest.next();
      used -= e.getValue().bytes.remaining();
      eldest.remove();
    }
  }
}
