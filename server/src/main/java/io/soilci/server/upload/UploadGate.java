package io.soilci.server.upload;

import io.soilci.server.http.HttpError;
import io.soilci.server.http.Metrics;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Semaphore;

/**
 * Admits at most N uploads at once, and at most k of them from one worker, so one worker's slow
 * uploads cannot take every permit; the next one gets 503 with {@code Retry-After} at once instead
 * of queueing until everything is slow.
 */
public final class UploadGate {
  private static final int RETRY_AFTER_SECONDS = 5;

  /** One admitted upload; closing it lets the next one in. */
  public interface Pass extends AutoCloseable {
    @Override
    void close();
  }

  private final Semaphore permits;
  private final int limit;
  private final int perWorker;
  private final Metrics metrics;
  private final Map<String, Integer> held = new HashMap<>();

  public UploadGate(int limit, int perWorker, Metrics metrics) {
    this.permits = new Semaphore(limit);
    this.limit = limit;
    this.perWorker = perWorker;
    this.metrics = metrics;
  }

  public UploadGate(int limit, Metrics metrics) {
    this(limit, limit, metrics);
  }

  /** A permit for an upload by {@code worker}, or 503. */
  public Pass enter(String worker) {
    synchronized (held) {
      int mine = held.getOrDefault(worker, 0);
      if (mine >= perWorker) {
        throw HttpError.busy(
            "worker '"
                + worker
                + "' already has "
                + mine
                + " uploads in flight (guards.maxUploadsPerWorker "
                + perWorker
                + "); retry in "
                + RETRY_AFTER_SECONDS
                + " seconds",
            RETRY_AFTER_SECONDS);
      }
      if (!permits.tryAcquire()) {
        throw HttpError.busy(
            "too many uploads in flight (maxUploadsInFlight "
                + limit
                + "); retry in "
                + RETRY_AFTER_SECONDS
                + " seconds",
            RETRY_AFTER_SECONDS);
      }
      held.put(worker, mine + 1);
    }
    metrics.uploadsInFlight().incrementAndGet();
    return () -> {
      metrics.uploadsInFlight().decrementAndGet();
      synchronized (held) {
        held.merge(worker, -1, (a, b) -> a + b == 0 ? null : a + b);
      }
      permits.release();
    };
  }
}
