package io.soilci.server.http;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import java.nio.charset.StandardCharsets;

/** Plain-text answers. */
public final class Responses {
  public static final String TEXT = "text/plain; charset=utf-8";
  private static final HttpString NOSNIFF = new HttpString("X-Content-Type-Options");

  private Responses() {}

  /** Sends {@code status} with {@code body} plus a newline as UTF-8 text. */
  public static void text(HttpServerExchange exchange, int status, String body) {
    exchange.setStatusCode(status);
    exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, TEXT);
    exchange.getResponseHeaders().put(NOSNIFF, "nosniff");
    exchange.getResponseSender().send(body + "\n", StandardCharsets.UTF_8);
  }
}
