package io.soilci.server.files;

import io.soilci.server.http.Gzip;
import io.soilci.server.http.HttpError;
import io.soilci.server.wwz.ContentTypes;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.handlers.resource.PathResourceManager;
import io.undertow.server.handlers.resource.ResourceHandler;
import io.undertow.util.CanonicalPathUtils;
import io.undertow.util.ETag;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import io.undertow.util.MimeMappings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Arrays;

/**
 * {@code GET /PATH}: a file of the site, {@code index.html} for a folder. Any path with a segment
 * starting with '.' (temp files, hidden folders) is refused with 404; links are not followed out of
 * the root. Only the site's own pages (HTML, written by the server) may run script; every other
 * file (a job's JSON, TSV, wwz, status file) is served inside {@code Content-Security-Policy:
 * sandbox}.
 */
public final class SiteFilesHandler implements HttpHandler {
  private static final HttpString NOSNIFF = new HttpString("X-Content-Type-Options");
  private static final HttpString CSP = new HttpString("Content-Security-Policy");

  /** The text files sent gzipped to a client that takes it. */
  private static final String[] TEXT = {"html", "css", "js", "json", "txt", "tsv", "csv", "svg"};

  private static final long GZIP_BUDGET_BYTES = 32L << 20;

  private final ResourceHandler resources;
  private final GzipPages gzip;

  public SiteFilesHandler(Path root) {
    MimeMappings.Builder builder = MimeMappings.builder(true);
    for (String ext : TEXT) {
      builder.addMapping(ext, ContentTypes.of("x." + ext));
    }
    MimeMappings types = builder.build();
    SnapshotResources files =
        new SnapshotResources(
            PathResourceManager.builder()
                .setBase(root)
                .setFollowLinks(false)
                .setETagFunction(SiteFilesHandler::etag)
                .build(),
            SiteFilesHandler::etag);
    this.resources =
        new ResourceHandler(files)
            .setDirectoryListingEnabled(false)
            .setWelcomeFiles("index.html")
            .setMimeMappings(types);
    this.gzip = new GzipPages(files, types, GZIP_BUDGET_BYTES);
  }

  private static ETag etag(Path file) {
    try {
      return etag(Files.readAttributes(file, BasicFileAttributes.class));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static ETag etag(BasicFileAttributes attrs) {
    return new ETag(
        false,
        Long.toHexString(attrs.lastModifiedTime().toMillis())
            + "-"
            + Long.toHexString(attrs.size()));
  }

  @Override
  public void handleRequest(HttpServerExchange exchange) throws Exception {
    String path = exchange.getRelativePath();
    if (path.contains("/.") || path.contains("\\") || path.indexOf('\0') >= 0) {
      throw HttpError.notFound("not found");
    }
    exchange.getResponseHeaders().put(NOSNIFF, "nosniff");
    if (!isPage(path)) {
      exchange.getResponseHeaders().put(CSP, "sandbox");
    }
    if (isText(path)) {
      exchange.getResponseHeaders().put(Headers.VARY, Gzip.VARY);
      // A range is served by Undertow from the file as it is.
      if (Gzip.accepted(exchange) && !exchange.getRequestHeaders().contains(Headers.RANGE)) {
        if (exchange.isInIoThread()) {
          // Reading and compressing a file is no work for the IO thread.
          exchange.dispatch(this);
          return;
        }
        String file = CanonicalPathUtils.canonicalize(path);
        if (gzip.serve(
            exchange, file.endsWith("/") || file.isEmpty() ? file + "index.html" : file)) {
          return;
        }
      }
    }
    resources.handleRequest(exchange);
  }

  /** A page or another text file of the site, by its name. */
  static boolean isText(String path) {
    if (isPage(path)) {
      return true;
    }
    int slash = path.lastIndexOf('/');
    int dot = path.lastIndexOf('.');
    return dot > slash + 1 && Arrays.asList(TEXT).contains(path.substring(dot + 1));
  }

  /**
   * A page the server wrote: a folder's {@code index.html} or an {@code .html} file (no job file or
   * status file can end in {@code .html}). Decided by the path, never by the answer's type: a 304
   * has no Content-Type, and a browser merges the 304's headers into the cached page, so a sandbox
   * sent with it would stop the page's script on every later visit.
   */
  static boolean isPage(String path) {
    return path.isEmpty() || path.endsWith("/") || path.endsWith(".html");
  }
}
