package io.soilci.server.files;

import io.soilci.result.SiteLayout;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;

/**
 * {@code GET /HOST/RUN/index.json}: the run's JSON moved to {@code RUN/json/index.json} (Soil's
 * indexer takes every {@code RUN/*.json} for a job); answers 308 to its new place.
 */
public final class MovedRunJsonHandler implements HttpHandler {
  /** True for the old URL of a run's JSON. */
  public static boolean matches(String path) {
    return SiteLayout.movedRunJsonTarget(path).isPresent();
  }

  @Override
  public void handleRequest(HttpServerExchange exchange) {
    // Relative, so it holds behind a proxy that serves the site under a prefix.
    exchange.getResponseHeaders().put(Headers.LOCATION, SiteLayout.RUN_JSON);
    exchange.setStatusCode(308);
    exchange.endExchange();
  }
}
