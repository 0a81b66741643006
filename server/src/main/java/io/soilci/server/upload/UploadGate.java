package io.soilci.server.upload;

import io.soilci.server.http.HttpError;
import io.soilci.server.http.Metrics;
import java.util.concurrent.Semaphore;

/**
 * Admits at most N uploads at once; the next one gets 503 with {@code Retry-After} at once instead
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
  private final Metrics metrics;

  public UploadGate(int limit, Metrics metrics) {
    this.permits = new Semaphore(limit);
    this.limit = limit;
    this.metrics = metrics;
  }

  public Pass enter() {
    if (!permits.tryAcquire()) {
      throw HttpError.busy(
          "too many uploads in flight (maxUploadsInFlight "
              + limit
              + "); retry in "
              + RETRY_AFTER_SECONDS
              + " seconds",
          RETRY_AFTER_SECONDS);
    }
    metrics.uploadsInFlight().incrementAndGet();
    return () -> {
      metrics.uploadsInFlight().decrementAndGet();
      permits.release();
    };
  }
}
