package io.soilci.server.cluster;

import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.KeyValue;
import io.nats.client.api.KeyValueEntry;
import io.nats.client.api.KeyValueOperation;
import io.soilci.server.nats.KeyValueBuckets;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Roles one replica holds at a time, as keys of the JetStream key-value bucket {@value #BUCKET}:
 * {@code site} (the job-lease timer that declares silent jobs lost) and {@code host.HOST} (mirrors
 * that host's pages to the object store). A key is claimed by creating it (only when absent) and
 * kept by updating it at the revision last written, every {@link #renewEvery}; the bucket's TTL
 * removes the key of a replica that stopped renewing, so another claims it after at most the TTL. A
 * replica counts a role as its own only until its last successful renewal plus the TTL less a
 * margin, so two never act at once while the clocks run at the same rate.
 */
public final class HostLeases {
  public static final String BUCKET = "soil-leases";

  /** The key of the site-wide role: the job-lease timer. */
  public static final String SITE = "site";

  private final KeyValue kv;
  private final String replica;
  private final Duration ttl;
  private final LongSupplier nanos;
  private final Map<String, Held> held = new ConcurrentHashMap<>();

  private record Held(long revision, long untilNanos) {}

  HostLeases(Connection connection, String replica, Duration ttl, LongSupplier nanos)
      throws IOException {
    this.replica = replica;
    this.ttl = ttl;
    this.nanos = nanos;
    this.kv = KeyValueBuckets.open(connection, BUCKET, ttl);
  }

  /** The leases of {@code replica} on {@code stream}'s connection, each kept for {@code ttl}. */
  public static HostLeases open(ChangeStream stream, String replica, Duration ttl)
      throws IOException {
    return new HostLeases(stream.connection(), replica, ttl, System::nanoTime);
  }

  /** How often {@link #claim} must run to keep a role: a third of the TTL. */
  public Duration renewEvery() {
    return ttl.dividedBy(3);
  }

  /**
   * Claims {@code key}, or renews it when this replica holds it; returns whether this replica holds
   * it now. Never throws: a stream that does not answer means the role is not (or no longer) held.
   */
  public boolean claim(String key) {
    long now = nanos.getAsLong();
    try {
      Held mine = held.get(key);
      long revision;
      if (mine != null) {
        revision = kv.update(key, value(), mine.revision());
      } else {
        KeyValueEntry entry = kv.get(key);
        if (entry != null
            && entry.getOperation() == KeyValueOperation.PUT
            && !replica.equals(entry.getValueAsString())) {
          return false;
        }
        revision =
            entry != null && entry.getOperation() == KeyValueOperation.PUT
                ? kv.update(key, value(), entry.getRevision())
                : kv.create(key, value());
      }
      // A margin of a tenth of the TTL: the bucket's clock and ours start at slightly different
      // moments.
      held.put(key, new Held(revision, now + ttl.toNanos() * 9 / 10));
      return true;
    } catch (IOException | JetStreamApiException | RuntimeException e) {
      held.remove(key);
      return false;
    }
  }

  /** Whether this replica holds {@code key} now (claimed and renewed within the TTL). */
  public boolean holds(String key) {
    Held mine = held.get(key);
    return mine != null && nanos.getAsLong() < mine.untilNanos();
  }

  /** Gives up {@code key} if held, so another replica takes it at once (a clean stop). */
  public void release(String key) {
    Held mine = held.remove(key);
    if (mine != null) {
      try {
        kv.delete(key, mine.revision());
      } catch (IOException | JetStreamApiException | RuntimeException e) {
        // The TTL frees it.
      }
    }
  }

  private byte[] value() {
    return replica.getBytes(StandardCharsets.UTF_8);
  }

  /** The key of {@code host}'s pages role. */
  public static String hostKey(String hostPrefix) {
    return "host." + hostPrefix;
  }
}
