package io.soilci.server.http;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;

/** {@code GET /healthz}: {@code ok} while the server answers. */
public final class HealthHandler implements HttpHandler {
  @Override
  public void handleRequest(HttpServerExchange exchange) {
    Responses.text(exchange, 200, "ok");
  }
}
