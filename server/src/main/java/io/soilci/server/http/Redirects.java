package io.soilci.server.http;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.StatusCodes;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * 302 answers whose {@code Location} is relative to the address the browser asked: a redirect so
 * holds behind a proxy that terminates TLS (it stays on https) or serves the site under a prefix,
 * and never names a host taken from the request's {@code Host} header.
 */
public final class Redirects {
  private Redirects() {}

  /**
   * 302 to the request's own path with a slash added (a folder named without it), its query kept:
   * {@code ./LAST/}, the last segment percent-encoded.
   */
  public static void addSlash(HttpServerExchange exchange) {
    String path = exchange.getRequestPath();
    String last = path.substring(path.lastIndexOf('/') + 1);
    String query = exchange.getQueryString();
    found(exchange, encoded(last) + "/" + (query.isEmpty() ? "" : "?" + query));
  }

  /**
   * 302 to {@code relative} (already encoded), resolved against the request's path; sent as {@code
   * ./RELATIVE}, which no segment can turn into a scheme.
   */
  public static void found(HttpServerExchange exchange, String relative) {
    exchange.setStatusCode(StatusCodes.FOUND);
    exchange.getResponseHeaders().put(Headers.LOCATION, "./" + relative);
    exchange.endExchange();
  }

  /** {@code path} with each of its segments percent-encoded as UTF-8 (a space as {@code %20}). */
  public static String encoded(String path) {
    StringBuilder out = new StringBuilder(path.length() + 16);
    String[] segments = path.split("/", -1);
    for (int i = 0; i < segments.length; i++) {
      if (i > 0) {
        out.append('/');
      }
      out.append(URLEncoder.encode(segments[i], StandardCharsets.UTF_8).replace("+", "%20"));
    }
    return out.toString();
  }
}
