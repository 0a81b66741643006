package io.soilci.server.http;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.DateUtils;
import io.undertow.util.Headers;
import java.util.Date;

/**
 * The headers that describe one version of a body: its type, ETag and {@code Last-Modified}, made
 * once per version and kept with it, so a request for bytes already in memory formats no date and
 * joins no strings.
 *
 * @param tag the ETag's value without quotes
 * @param etag the ETag as sent, quoted
 */
public record Head(String type, String tag, String etag, String lastModified, long modifiedMillis) {
  public static Head of(String type, String tag, long modifiedMillis) {
    return new Head(
        type,
        tag,
        "\"" + tag + "\"",
        DateUtils.toDateString(new Date(modifiedMillis)),
        modifiedMillis);
  }

  /** Sets {@code Content-Type}, {@code ETag} and {@code Last-Modified}. */
  public void put(HttpServerExchange exchange) {
    var headers = exchange.getResponseHeaders();
    headers.put(Headers.CONTENT_TYPE, type);
    headers.put(Headers.ETAG, etag);
    headers.put(Headers.LAST_MODIFIED, lastModified);
  }
}
