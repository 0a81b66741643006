package io.soilci.server.http;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/** The server's counters, written out in Prometheus' text format. */
public final class Metrics {
  private final Map<String, LongAdder> requests = new ConcurrentHashMap<>();
  private final LongAdder bytesUploaded = new LongAdder();
  private final LongAdder siteUpdateNanos = new LongAdder();
  private final LongAdder siteUpdates = new LongAdder();
  private final AtomicInteger uploadsInFlight = new AtomicInteger();

  /** Counts one answered request of {@code route} with {@code status}. */
  public void request(String route, int status) {
    requests
        .computeIfAbsent("route=\"" + route + "\",status=\"" + status + "\"", k -> new LongAdder())
        .increment();
  }

  public void uploaded(long bytes) {
    bytesUploaded.add(bytes);
  }

  /** Counts one page update of the site (regeneration) that took {@code nanos}. */
  public void siteUpdated(long nanos) {
    siteUpdateNanos.add(nanos);
    siteUpdates.increment();
  }

  /** An update of the site's pages, timed. */
  public interface SiteUpdate {
    void run() throws java.io.IOException;
  }

  /** Runs {@code update} and records its duration as page regeneration time. */
  public void timeSiteUpdate(SiteUpdate update) throws java.io.IOException {
    long start = System.nanoTime();
    try {
      update.run();
    } finally {
      siteUpdated(System.nanoTime() - start);
    }
  }

  public AtomicInteger uploadsInFlight() {
    return uploadsInFlight;
  }

  /** The exposition text. */
  public String format() {
    StringBuilder out = new StringBuilder();
    out.append("# HELP soil_http_requests_total Requests answered, by route and status.\n");
    out.append("# TYPE soil_http_requests_total counter\n");
    new TreeMap<>(requests)
        .forEach(
            (labels, count) ->
                out.append("soil_http_requests_total{")
                    .append(labels)
                    .append("} ")
                    .append(count.sum())
                    .append('\n'));
    gauge(
        out,
        "soil_uploaded_bytes_total",
        "counter",
        "Bytes of job files received.",
        bytesUploaded.sum());
    gauge(
        out,
        "soil_uploads_in_flight",
        "gauge",
        "Uploads being received now.",
        uploadsInFlight.get());
    out.append("# HELP soil_page_regeneration_seconds Time spent updating pages after a change.\n");
    out.append("# TYPE soil_page_regeneration_seconds summary\n");
    out.append("soil_page_regeneration_seconds_sum ")
        .append(siteUpdateNanos.sum() / 1e9)
        .append('\n');
    out.append("soil_page_regeneration_seconds_count ").append(siteUpdates.sum()).append('\n');
    return out.toString();
  }

  private static void gauge(StringBuilder out, String name, String type, String help, long value) {
    out.append("# HELP ").append(name).append(' ').append(help).append('\n');
    out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    out.append(name).append(' ').append(value).append('\n');
  }
}
