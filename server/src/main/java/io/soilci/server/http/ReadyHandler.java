package io.soilci.server.http;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * {@code GET /readyz}: {@code ready} once this server shows every change acknowledged before it
 * started (a replica of the distributed mode: caught up with the change stream; one box: at once),
 * else 503 saying what it waits for. A load balancer sends reads only to a ready replica.
 */
public final class ReadyHandler implements HttpHandler {
  private final Supplier<Optional<String>> notReady;

  /** {@code notReady} says why the server is not ready, or nothing when it is. */
  public ReadyHandler(Supplier<Optional<String>> notReady) {
    this.notReady = notReady;
  }

  @Override
  public void handleRequest(HttpServerExchange exchange) {
    Optional<String> why = notReady.get();
    if (why.isPresent()) {
      Responses.text(exchange, 503, "not ready: " + why.get());
    } else {
      Responses.text(exchange, 200, "ready");
    }
  }
}
