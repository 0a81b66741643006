package io.soilci.server.http;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.DateUtils;
import io.undertow.util.HeaderValues;
import io.undertow.util.Headers;
import io.undertow.util.StatusCodes;
import java.util.Date;

/** Conditional GETs (RFC 9110 13.1.2-3) for answers the server builds itself. */
public final class Conditional {
  private Conditional() {}

  /**
   * Answers {@code 304} with {@code etag} (and whatever headers are already set) and returns true
   * if {@code If-None-Match} lists {@code etag} or is {@code *} (weak comparison: {@code W/} is
   * ignored) or, without {@code If-None-Match}, {@code If-Modified-Since} is not before {@code
   * lastModifiedMillis}.
   */
  public static boolean notModified(
      HttpServerExchange exchange, String etag, long lastModifiedMillis) {
    HeaderValues ifNoneMatch = exchange.getRequestHeaders().get(Headers.IF_NONE_MATCH);
    String ifModifiedSince = exchange.getRequestHeaders().getFirst(Headers.IF_MODIFIED_SINCE);
    boolean same =
        ifNoneMatch != null
            ? matches(ifNoneMatch, etag)
            : ifModifiedSince != null
                && !DateUtils.handleIfModifiedSince(ifModifiedSince, new Date(lastModifiedMillis));
    if (same) {
      exchange.getResponseHeaders().put(Headers.ETAG, etag);
      exchange.setStatusCode(StatusCodes.NOT_MODIFIED);
      exchange.endExchange();
    }
    return same;
  }

  private static boolean matches(HeaderValues ifNoneMatch, String etag) {
    for (String value : ifNoneMatch) {
      for (String tag : value.split(",", -1)) {
        String t = tag.trim();
        if (t.equals("*") || (t.startsWith("W/") ? t.substring(2) : t).equals(etag)) {
          return true;
        }
      }
    }
    return false;
  }
}
