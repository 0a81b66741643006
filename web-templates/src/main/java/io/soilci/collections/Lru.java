package io.soilci.collections;

import java.util.LinkedHashMap;
import java.util.Map;

/** Maps that keep only the entries used most recently. */
public final class Lru {
  private Lru() {}

  /**
   * A map in access order that drops its least recently used entry past {@code most} entries; not
   * synchronized (guard it as any {@link LinkedHashMap}: a get changes its order).
   */
  public static <K, V> Map<K, V> map(int most) {
    return new LinkedHashMap<>(16, 0.75f, true) {
      private static final long serialVersionUID = 1L;

      @Override
      protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
        return size() > most;
      }
    };
  }
}
