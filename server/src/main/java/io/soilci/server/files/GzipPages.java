package io.soilci.server.files;

import io.soilci.server.http.Conditional;
import io.soilci.server.http.Gzip;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.handlers.resource.Resource;
import io.undertow.util.DateUtils;
import io.undertow.util.Headers;
import io.undertow.util.Methods;
import io.undertow.util.MimeMappings;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The site's text files (pages, JSON, TSV, CSS, JS) gzipped for clients that take it. Each version
 * of a file is compressed once, when first asked for, and kept (up to a byte budget, least recently
 * served dropped first): a page is read by far more often than it changes, so a request costs no
 * compression, the answer keeps its {@code Content-Length}, and the gzip variant has an ETag of its
 * own ({@code "TAG-gz"}), as a cache needs. Nothing is written to the site: its files stay exactly
 * what {@code regen} writes and Soil reads.
 */
final class GzipPages {
  private final SnapshotResources files;
  private final MimeMappings types;
  private final long budget;
  private long used;
  private final LinkedHashMap<String, byte[]> compressed = new LinkedHashMap<>(64, 0.75f, true);

  GzipPages(SnapshotResources files, MimeMappings types, long budget) {
    this.files = files;
    this.types = types;
    this.budget = budget;
  }

  /**
   * Answers with the gzip variant of the file at {@code path} (a canonical path under the root,
   * never a folder) and returns true, or returns false for the caller to answer as usual: no such
   * file, too large to snapshot, or too small to gain.
   */
  boolean serve(HttpServerExchange exchange, String path) throws IOException {
    Resource resource = files.getResource(path);
    if (!(resource instanceof SnapshotResources.Snapshot file)
        || !Gzip.worthIt(file.bytes().length)) {
      return false;
    }
    String etag = "\"" + file.tag().getTag() + "-gz\"";
    long modified = file.getLastModified().getTime();
    if (Conditional.notModified(exchange, etag, modified)) {
      return true;
    }
    byte[] gzip = compressed(path + "|" + etag, file.bytes());
    var headers = exchange.getResponseHeaders();
    String type = file.getContentType(types);
    headers.put(Headers.CONTENT_TYPE, type == null ? "application/octet-stream" : type);
    headers.put(Headers.CONTENT_ENCODING, "gzip");
    headers.put(Headers.ETAG, etag);
    headers.put(Headers.LAST_MODIFIED, DateUtils.toDateString(file.getLastModified()));
    exchange.setResponseContentLength(gzip.length);
    if (exchange.getRequestMethod().equals(Methods.HEAD)) {
      exchange.endExchange();
    } else {
      exchange.getResponseSender().send(ByteBuffer.wrap(gzip));
    }
    return true;
  }

  private byte[] compressed(String key, byte[] bytes) {
    byte[] known = get(key);
    if (known != null) {
      return known;
    }
    // Outside the lock: two first requests may both compress, neither waits for the other.
    byte[] fresh = Gzip.compress(bytes);
    put(key, fresh);
    return fresh;
  }

  private synchronized byte @Nullable [] get(String key) {
    return compressed.get(key);
  }

  private synchronized void put(String key, byte[] bytes) {
    if (bytes.length > budget) {
      return;
    }
    byte[] previous = compressed.put(key, bytes);
    used += bytes.length - (previous == null ? 0 : previous.length);
    var eldest = compressed.entrySet().iterator();
    while (used > budget && eldest.hasNext()) {
      Map.Entry<String, byte[]> e = eldest.next();
      used -= e.getValue().length;
      eldest.remove();
    }
  }
}
