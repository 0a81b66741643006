package io.soilci.server.wwz;

import io.soilci.result.WwzPath;
import io.soilci.server.http.Gzip;
import io.soilci.server.storage.ObjectKeys;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.Methods;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Optional;

/**
 * {@code GET …/JOB.wwz/PATH} answered from the bucket ({@link BucketWwz}) while this replica's
 * folder does not have the zip yet: the entry's bytes, or for a client that takes gzip a deflated
 * entry's own DEFLATE bytes in a gzip member, with the sandbox every zip answer carries. Listings,
 * folders and log views wait for the zip to reach the folder (a 404 until then).
 */
final class BucketEntries {
  private BucketEntries() {}

  /** True when the bucket had the zip and entry and the answer was sent. */
  static boolean serve(HttpServerExchange exchange, BucketWwz bucket, String zipPath, String entry)
      throws IOException {
    if (entry.isEmpty()
        || entry.endsWith("/")
        || !exchange.getQueryString().isEmpty()
        || !ObjectKeys.isValid(zipPath)) {
      return false;
    }
    String name = WwzPath.require("path", entry);
    boolean gzip = !exchange.getRequestHeaders().contains(Headers.RANGE) && Gzip.accepted(exchange);
    Optional<ByteBuffer> body = gzip ? bucket.gzip(zipPath, name) : Optional.empty();
    boolean gzipped = body.isPresent();
    if (!gzipped) {
      body = bucket.entry(zipPath, name);
    }
    if (body.isEmpty()) {
      return false;
    }
    var headers = exchange.getResponseHeaders();
    headers.put(Headers.CONTENT_TYPE, ContentTypes.of(name));
    headers.put(Headers.VARY, Gzip.VARY);
    headers.put(Headers.CACHE_CONTROL, "no-cache");
    if (gzipped) {
      headers.put(Headers.CONTENT_ENCODING, "gzip");
    }
    WwzHandler.untrusted(exchange);
    exchange.setResponseContentLength(body.get().remaining());
    if (exchange.getRequestMethod().equals(Methods.HEAD)) {
      exchange.endExchange();
    } else {
      exchange.getResponseSender().send(body.get());
    }
    return true;
  }
}
