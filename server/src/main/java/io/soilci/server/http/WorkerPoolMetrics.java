package io.soilci.server.http;

import org.xnio.management.XnioWorkerMXBean;

/**
 * The worker threads that run requests: how many are busy, and how many requests wait for one. That
 * wait is the server's only queue: an upload past {@code limits.maxUploadsInFlight} is refused with
 * 503 at once, never queued.
 */
public final class WorkerPoolMetrics implements MetricSource {
  private final XnioWorkerMXBean pool;

  public WorkerPoolMetrics(XnioWorkerMXBean pool) {
    this.pool = pool;
  }

  @Override
  public void writeTo(PromText out) {
    out.family("soil_http_worker_threads_busy", "gauge", "Worker threads running a request.")
        .sample("soil_http_worker_threads_busy", "", pool.getBusyWorkerThreadCount());
    out.family("soil_http_worker_threads_max", "gauge", "Worker threads at most.")
        .sample("soil_http_worker_threads_max", "", pool.getMaxWorkerPoolSize());
    out.family("soil_http_requests_queued", "gauge", "Requests waiting for a worker thread.")
        .sample("soil_http_requests_queued", "", pool.getWorkerQueueSize());
  }
}
