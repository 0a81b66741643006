package io.soilci.server.http;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import java.nio.charset.StandardCharsets;

/** {@code GET /metrics}: the counters in Prometheus' text format. */
public final class MetricsHandler implements HttpHandler {
  private final Metrics metrics;

  public MetricsHandler(Metrics metrics) {
    this.metrics = metrics;
  }

  @Override
  public void handleRequest(HttpServerExchange exchange) {
    exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain; version=0.0.4");
    exchange.getResponseSender().send(metrics.format(), StandardCharsets.UTF_8);
  }
}
