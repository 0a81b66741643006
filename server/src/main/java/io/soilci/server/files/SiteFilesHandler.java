package io.soilci.server.files;

import io.soilci.server.http.HttpError;
import io.soilci.server.wwz.ContentTypes;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.handlers.resource.PathResourceManager;
import io.undertow.server.handlers.resource.ResourceHandler;
import io.undertow.util.ETag;
import io.undertow.util.HttpString;
import io.undertow.util.MimeMappings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

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

  private final ResourceHandler resources;

  public SiteFilesHandler(Path root) {
    MimeMappings.Builder types = MimeMappings.builder(true);
    for (String ext : new String[] {"html", "css", "js", "json", "txt", "tsv", "csv", "svg"}) {
      types.addMapping(ext, ContentTypes.of("x." + ext));
    }
    this.resources =
        new ResourceHandler(
                new SnapshotResources(
                    PathResourceManager.builder()
                        .setBase(root)
                        .setFollowLinks(false)
                        .setETagFunction(SiteFilesHandler::etag)
                        .build(),
                    SiteFilesHandler::etag))
            .setDirectoryListingEnabled(false)
            .setWelcomeFiles("index.html")
            .setMimeMappings(types.build());
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
    resources.handleRequest(exchange);
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
