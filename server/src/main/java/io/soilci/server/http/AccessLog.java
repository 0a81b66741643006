package io.soilci.server.http;

import io.soilci.result.Printable;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.AttachmentKey;
import io.undertow.util.Headers;
import io.undertow.util.Methods;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The outermost handler: on completion of every request, one access-log line and one count in
 * {@link Metrics} under the request's route.
 */
public final class AccessLog implements HttpHandler {
  private static final Logger LOG = LoggerFactory.getLogger("access");
  private static final AttachmentKey<String> ROUTE = AttachmentKey.create(String.class);

  private final HttpHandler next;
  private final Metrics metrics;

  public AccessLog(HttpHandler next, Metrics metrics) {
    this.next = next;
    this.metrics = metrics;
  }

  /** Names the route that answers the request, e.g. {@code /results} or {@code wwz}. */
  public static HttpHandler route(String name, HttpHandler handler) {
    return exchange -> {
      exchange.putAttachment(ROUTE, name);
      handler.handleRequest(exchange);
    };
  }

  @Override
  public void handleRequest(HttpServerExchange exchange) throws Exception {
    long start = System.nanoTime();
    exchange.addExchangeCompleteListener(
        (done, nextListener) -> {
          try {
            log(done, start);
          } finally {
            nextListener.proceed();
          }
        });
    next.handleRequest(exchange);
  }

  private void log(HttpServerExchange exchange, long start) {
    String route = exchange.getAttachment(ROUTE);
    int status = exchange.getStatusCode();
    metrics.request(
        route == null ? "other" : route, exchange.getRequestMethod().equals(Methods.POST), status);
    if (LOG.isInfoEnabled()) {
      String agent = exchange.getRequestHeaders().getFirst(Headers.USER_AGENT);
      LOG.info(
          "{} {} {} {} {} {}ms \"{}\"",
          exchange.getSourceAddress() == null
              ? "-"
              : exchange.getSourceAddress().getAddress().getHostAddress(),
          exchange.getRequestMethod(),
          exchange.getRequestURI(),
          status,
          exchange.getResponseBytesSent(),
          (System.nanoTime() - start) / 1_000_000,
          agent == null ? "-" : Printable.of(agent));
    }
  }
}
