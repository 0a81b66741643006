package io.soilci.server.coordinator;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.soilci.server.http.HttpError;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import java.nio.ByteBuffer;

/**
 * The coordinator's reads: the pages {@code GET /coordinator/} and {@code agents.html}, {@code
 * /coordinator/jobs.json} (queued, running and recently ended jobs, newest first), {@code
 * /coordinator/jobs/ID.json} and {@code /coordinator/agents.json}.
 */
public final class CoordinatorReads implements HttpHandler {
  private final Coordinator coordinator;

  public CoordinatorReads(Coordinator coordinator) {
    this.coordinator = coordinator;
  }

  /** True for the paths this handler answers on GET. */
  public static boolean matches(String path) {
    return path.startsWith(CoordinatorHandler.PREFIX) && !CoordinatorHandler.matchesWrite(path);
  }

  @Override
  public void handleRequest(HttpServerExchange exchange) {
    String what = exchange.getRelativePath().substring(CoordinatorHandler.PREFIX.length());
    if (what.isEmpty() || what.equals("index.html")) {
      html(exchange, CoordinatorPages.queue(coordinator.jobs(), coordinator.agents().size()));
    } else if (what.equals("agents.html")) {
      html(exchange, CoordinatorPages.agents(coordinator.agents(), coordinator.jobs()));
    } else if (what.equals("jobs.json")) {
      ObjectNode body = JsonNodeFactory.instance.objectNode();
      body.put("queued", coordinator.queuedJobs());
      ArrayNode list = body.putArray("jobs");
      coordinator.jobs().forEach(list::add);
      CoordinatorHandler.json(exchange, 200, body);
    } else if (what.equals("agents.json")) {
      ObjectNode body = JsonNodeFactory.instance.objectNode();
      ArrayNode list = body.putArray("agents");
      coordinator.agents().forEach(list::add);
      CoordinatorHandler.json(exchange, 200, body);
    } else if (what.matches("jobs/[1-9][0-9]{0,17}\\.json")) {
      long id = Long.parseLong(what.substring("jobs/".length(), what.length() - ".json".length()));
      CoordinatorHandler.json(exchange, 200, coordinator.job(id));
    } else {
      throw HttpError.notFound(
          "no coordinator page "
              + exchange.getRelativePath()
              + "; there are /coordinator/ (the queue), /coordinator/agents.html,"
              + " /coordinator/jobs.json, /coordinator/jobs/ID.json and /coordinator/agents.json");
    }
  }

  private static void html(HttpServerExchange exchange, byte[] page) {
    exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/html; charset=utf-8");
    exchange.getResponseHeaders().put(Headers.CACHE_CONTROL, "no-cache");
    exchange.getResponseSender().send(ByteBuffer.wrap(page));
  }
}
