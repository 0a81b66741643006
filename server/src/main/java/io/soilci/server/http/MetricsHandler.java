package io.soilci.server.http;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** {@code GET /metrics}: every source's metrics in Prometheus' text format. */
public final class MetricsHandler implements HttpHandler {
  private final List<MetricSource> sources;

  public MetricsHandler(List<MetricSource> sources) {
    this.sources = List.copyOf(sources);
  }

  @Override
  public void handleRequest(HttpServerExchange exchange) {
    PromText out = new PromText();
    sources.forEach(source -> source.writeTo(out));
    exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain; version=0.0.4");
    exchange.getResponseSender().send(out.toString(), StandardCharsets.UTF_8);
  }
}
