package io.soilci.server;

import io.soilci.result.JobRef;
import io.soilci.server.http.HttpError;
import io.soilci.server.http.Query;
import io.soilci.server.http.Responses;
import io.soilci.server.site.Site;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * {@code POST /ingest?workerHost=H&runId=R&jobName=J}: {@code ingest} on this machine tells the
 * server that a job's checked files are in place; the server reads the run again and updates its
 * pages. Only from a loopback address, and only with the key this server wrote to {@code
 * STATE/server.json}: no worker token opens it, and the key opens nothing else.
 */
final class IngestHandler implements HttpHandler {
  private final Site site;
  private final byte[] key;

  IngestHandler(Site site, String key) {
    this.site = site;
    this.key = ("Bearer " + key).getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public void handleRequest(HttpServerExchange exchange) throws Exception {
    InetSocketAddress from = exchange.getSourceAddress();
    if (from == null || !from.getAddress().isLoopbackAddress()) {
      throw HttpError.forbidden("POST /ingest is only for soil-server ingest on this machine");
    }
    String given = exchange.getRequestHeaders().getFirst(Headers.AUTHORIZATION);
    byte[] bytes = (given == null ? "" : given).getBytes(StandardCharsets.UTF_8);
    if (!MessageDigest.isEqual(bytes, key)) {
      throw HttpError.forbidden(
          "POST /ingest needs the key in STATE/server.json of this server's state folder");
    }
    JobRef job = new Query(exchange).jobRef();

    site.runStored(job.host(), job.run());

    Responses.text(exchange, 200, "pages of " + job.host().prefix() + "/" + job.run() + " updated");
  }
}
