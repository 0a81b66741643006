package io.soilci.server.http;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * The server's counters: requests, uploads, events, live log chunks, page updates. Every label
 * value comes from a fixed set (route names, statuses, event names, refusal reasons).
 */
public final class Metrics implements MetricSource {
  private static final Set<String> UPLOAD_ROUTES = Set.of("/results", "/wwup");

  /** HTTP statuses are three digits. */
  private static final int STATUSES = 1000;

  /** Requests by route, then by status (an index; the label is made only when scraped). */
  private final Map<String, AtomicReferenceArray<LongAdder>> requests = new ConcurrentHashMap<>();

  private final LongAdder uploadsAccepted = new LongAdder();
  private final Map<String, LongAdder> uploadsRefused = new ConcurrentHashMap<>();
  private final LongAdder bytesUploaded = new LongAdder();
  private final Histogram uploadSeconds = new Histogram();
  private final AtomicInteger uploadsInFlight = new AtomicInteger();
  private final Map<String, LongAdder> eventsAccepted = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> eventsRefused = new ConcurrentHashMap<>();
  private final LongAdder liveAppends = new LongAdder();
  private final LongAdder liveBytes = new LongAdder();
  private final LongAdder siteUpdateNanos = new LongAdder();
  private final LongAdder siteUpdates = new LongAdder();

  /**
   * Counts one answered request of {@code route} with {@code status}; a refused upload or event
   * also under its reason.
   */
  public void request(String route, boolean post, int status) {
    // Allocation-free once a route and status were seen: this runs for every request.
    AtomicReferenceArray<LongAdder> byStatus =
        requests.computeIfAbsent(route, r -> new AtomicReferenceArray<>(STATUSES));
    int at = Math.floorMod(status, STATUSES);
    LongAdder count = byStatus.get(at);
    if (count == null) {
      byStatus.compareAndSet(at, null, new LongAdder());
      count = byStatus.get(at);
    }
    count.increment();
    if (post && status >= 400 && UPLOAD_ROUTES.contains(route)) {
      count(uploadsRefused, PromText.label("reason", reason(status)));
    } else if (post && status >= 400 && route.equals("/event")) {
      count(eventsRefused, PromText.label("reason", reason(status)));
    }
  }

  /** An upload committed its files: {@code bytes} received, {@code nanos} since it was let in. */
  public void uploadAccepted(long bytes, long nanos) {
    uploadsAccepted.increment();
    bytesUploaded.add(bytes);
    uploadSeconds.observe(nanos);
  }

  /** An event ({@code start}, {@code task-start}, {@code task-done}, {@code done}) was applied. */
  public void eventAccepted(String event) {
    count(eventsAccepted, PromText.label("event", event));
  }

  /** A live log chunk of {@code bytes} was appended. */
  public void liveLogAppended(int bytes) {
    liveAppends.increment();
    liveBytes.add(bytes);
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
      siteUpdateNanos.add(System.nanoTime() - start);
      siteUpdates.increment();
    }
  }

  public AtomicInteger uploadsInFlight() {
    return uploadsInFlight;
  }

  @Override
  public void writeTo(PromText out) {
    Map<String, LongAdder> byLabels = new TreeMap<>();
    requests.forEach(
        (route, byStatus) -> {
          for (int status = 0; status < STATUSES; status++) {
            LongAdder count = byStatus.get(status);
            if (count != null) {
              byLabels.put(
                  PromText.label("route", route) + "," + PromText.label("status", "" + status),
                  count);
            }
          }
        });
    labelled(out, "soil_http_requests_total", "Requests answered, by route and status.", byLabels);
    out.family("soil_uploads_accepted_total", "counter", "Uploads whose files were committed.")
        .sample("soil_uploads_accepted_total", "", uploadsAccepted.sum());
    labelled(
        out,
        "soil_uploads_refused_total",
        "Uploads answered with an error, by reason.",
        uploadsRefused);
    out.family("soil_uploaded_bytes_total", "counter", "Bytes of job files committed.")
        .sample("soil_uploaded_bytes_total", "", bytesUploaded.sum());
    uploadSeconds.writeTo(
        out,
        "soil_upload_duration_seconds",
        "Accepted uploads: from the upload permit to files committed and pages updated.");
    out.family("soil_uploads_in_flight", "gauge", "Uploads holding an upload permit now.")
        .sample("soil_uploads_in_flight", "", uploadsInFlight.get());
    labelled(out, "soil_events_accepted_total", "Job events applied, by event.", eventsAccepted);
    labelled(out, "soil_events_refused_total", "Job events answered with an error.", eventsRefused);
    out.family("soil_live_log_appends_total", "counter", "Live log chunks appended.")
        .sample("soil_live_log_appends_total", "", liveAppends.sum());
    out.family("soil_live_log_bytes_total", "counter", "Bytes of live log chunks appended.")
        .sample("soil_live_log_bytes_total", "", liveBytes.sum());
    out.family(
            "soil_page_regeneration_seconds",
            "summary",
            "Time spent updating pages after a change.")
        .sample("soil_page_regeneration_seconds_sum", "", siteUpdateNanos.sum() / 1e9)
        .sample("soil_page_regeneration_seconds_count", "", siteUpdates.sum());
  }

  /** Why a write was refused, from its status: a fixed set of label values. */
  static String reason(int status) {
    return switch (status) {
      case 400 -> "bad_input";
      case 401 -> "unauthenticated";
      case 403 -> "forbidden";
      case 408 -> "too_slow";
      case 409 -> "job_lost";
      case 413 -> "too_large";
      case 429 -> "login_limit";
      case 503 -> "busy";
      default -> status >= 500 ? "server_error" : "other";
    };
  }

  private static void count(Map<String, LongAdder> family, String labels) {
    family.computeIfAbsent(labels, k -> new LongAdder()).increment();
  }

  private static void labelled(
      PromText out, String name, String help, Map<String, LongAdder> family) {
    out.family(name, "counter", help);
    new TreeMap<>(family).forEach((labels, count) -> out.sample(name, labels, count.sum()));
  }
}
