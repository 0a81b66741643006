package io.soilci.server.http;

import io.undertow.server.HttpServerExchange;
import io.undertow.server.protocol.http.HttpContinue;
import io.undertow.util.Headers;
import java.io.IOException;
import java.io.InputStream;

/**
 * Reading what is left of a request body before answering early, so the client reads our 4xx
 * instead of a connection reset: bounded, and past the bound the connection is closed.
 */
public final class Bodies {
  private Bodies() {}

  /**
   * Reads and drops up to {@code maxBytes} of the remaining body; closes the connection past it.
   */
  public static void drain(HttpServerExchange exchange, long maxBytes) {
    if (exchange.isRequestComplete() || !exchange.isBlocking()) {
      return;
    }
    if (HttpContinue.requiresContinueResponse(exchange)
        && !HttpContinue.isContinueResponseSent(exchange)) {
      // The client waits for "100 Continue" before sending the body: answer, send no body.
      exchange.setPersistent(false);
      return;
    }
    long declared = exchange.getRequestContentLength();
    if (declared > maxBytes) {
      exchange.setPersistent(false);
      exchange.getResponseHeaders().put(Headers.CONNECTION, "close");
      return;
    }
    try {
      InputStream in = exchange.getInputStream();
      if (in.skip(maxBytes) >= maxBytes && in.read() >= 0) {
        exchange.setPersistent(false);
        exchange.getResponseHeaders().put(Headers.CONNECTION, "close");
      }
    } catch (IOException e) {
      // The client went away; nothing to answer.
      exchange.setPersistent(false);
    }
  }
}
