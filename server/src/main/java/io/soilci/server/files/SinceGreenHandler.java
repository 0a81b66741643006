package io.soilci.server.files;

import io.soilci.result.SiteLayout;
import io.soilci.server.http.Responses;
import io.soilci.server.site.Site;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import io.undertow.util.Methods;
import java.nio.ByteBuffer;
import java.util.Optional;

/**
 * {@code GET /HOST/RUN/since-green.html} and {@code /HOST/RUN/json/since-green.json}: the run's
 * "since the last green run" page, rendered by the site on request (it is never a file).
 */
public final class SinceGreenHandler implements HttpHandler {
  private static final HttpString NOSNIFF = new HttpString("X-Content-Type-Options");

  private final Site site;

  public SinceGreenHandler(Site site) {
    this.site = site;
  }

  /** True for the path of a run's since-green page or JSON. */
  public static boolean matches(String path) {
    return SiteLayout.sinceGreen(path).isPresent();
  }

  @Override
  public void handleRequest(HttpServerExchange exchange) throws Exception {
    SiteLayout.SinceGreenPath page =
        SiteLayout.sinceGreen(exchange.getRelativePath()).orElseThrow();
    Optional<byte[]> bytes = site.sinceGreen(page.host(), page.run(), page.json());
    if (bytes.isEmpty()) {
      Responses.text(
          exchange, 404, "no run " + page.run() + " on " + page.host().prefix() + " is kept");
      return;
    }
    exchange
        .getResponseHeaders()
        .put(
            Headers.CONTENT_TYPE,
            page.json() ? "application/json; charset=utf-8" : "text/html; charset=utf-8");
    exchange.getResponseHeaders().put(NOSNIFF, "nosniff");
    exchange.getResponseHeaders().put(Headers.CACHE_CONTROL, "no-cache");
    exchange.getResponseHeaders().put(Headers.CONTENT_LENGTH, bytes.get().length);
    if (exchange.getRequestMethod().equals(Methods.HEAD)) {
      exchange.endExchange();
      return;
    }
    exchange.getResponseSender().send(ByteBuffer.wrap(bytes.get()));
  }
}
