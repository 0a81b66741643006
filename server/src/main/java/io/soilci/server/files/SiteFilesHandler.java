package io.soilci.server.files;

import io.soilci.server.http.HttpError;
import io.soilci.server.wwz.ContentTypes;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.handlers.resource.PathResourceManager;
import io.undertow.server.handlers.resource.ResourceHandler;
import io.undertow.util.ETag;
import io.undertow.util.Headers;
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
    exchange.addResponseCommitListener(SiteFilesHandler::sandboxUnlessPage);
    resources.handleRequest(exchange);
  }

  private static void sandboxUnlessPage(HttpServerExchange exchange) {
    String type = exchange.getResponseHeaders().getFirst(Headers.CONTENT_TYPE);
    if (type == null || !type.startsWith("text/html")) {
      exchange.getResponseHeaders().put(CSP, "sandbox");
    }
  }
}
