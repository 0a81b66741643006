package io.soilci.server.http;

/** Something {@code GET /metrics} reports: writes its metric families when scraped. */
public interface MetricSource {
  void writeTo(PromText out);
}
