package io.soilci.server.coordinator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.soilci.result.BadInput;
import io.soilci.result.Printable;
import io.soilci.server.auth.Authenticator;
import io.soilci.server.auth.CredentialGate;
import io.soilci.server.auth.Scope;
import io.soilci.server.auth.Worker;
import io.soilci.server.http.HttpError;
import io.soilci.server.http.Query;
import io.soilci.server.http.SmallBody;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import io.undertow.util.SameThreadExecutor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;

/**
 * The coordinator's write API: {@code POST /coordinator/submit} and {@code /cancel} (scope {@code
 * submit}), {@code /poll}, {@code /heartbeat} and {@code /outcome} (scope {@code agent}, the agent
 * being the token's worker). Behind {@code CredentialGate}; answers are JSON.
 */
public final class CoordinatorHandler implements HttpHandler {
  public static final String PREFIX = "/coordinator/";

  /** The route whose body is a run ({@link Submission}); read whole before a thread is taken. */
  public static final String SUBMIT = "/coordinator/submit";

  /** The most a submit body may hold. */
  public static final int MAX_BODY = 8 << 20;

  static final int MAX_WAIT_SECONDS = 60;
  private static final HttpString NOSNIFF = new HttpString("X-Content-Type-Options");

  private final Coordinator coordinator;
  private final Authenticator auth;
  private final CoordinatorSettings settings;

  public CoordinatorHandler(
      Coordinator coordinator, Authenticator auth, CoordinatorSettings settings) {
    this.coordinator = coordinator;
    this.auth = auth;
    this.settings = settings;
  }

  /** True for the paths this handler answers on POST. */
  public static boolean matchesWrite(String path) {
    return switch (path) {
      case "/coordinator/submit",
          "/coordinator/poll",
          "/coordinator/heartbeat",
          "/coordinator/outcome",
          "/coordinator/cancel" ->
          true;
      default -> false;
    };
  }

  @Override
  public void handleRequest(HttpServerExchange exchange) throws Exception {
    String what = exchange.getRelativePath().substring(PREFIX.length());
    Query query = new Query(exchange);
    switch (what) {
      case "submit" -> {
        Worker worker = require(exchange, Scope.SUBMIT);
        // SmallBody read it on the IO thread, after the same scope check (admitSubmit).
        Submission submission = Submission.parse(body(exchange), settings.maxJobsPerSubmit());
        json(exchange, 200, coordinator.submit(submission, worker.name()));
      }
      case "cancel" -> {
        Worker worker = require(exchange, Scope.SUBMIT);
        json(exchange, 200, coordinator.cancel(jobId(query), worker.name()));
      }
      case "heartbeat" -> {
        Worker worker = require(exchange, Scope.AGENT);
        json(exchange, 200, coordinator.heartbeat(worker.name(), jobId(query)));
      }
      case "outcome" -> {
        Worker worker = require(exchange, Scope.AGENT);
        Outcome outcome = Outcome.parse(query.require("outcome"));
        int status = query.integer("status", 255).orElse(outcome == Outcome.PASSED ? 0 : 1);
        if ((outcome == Outcome.PASSED) != (status == 0)) {
          throw new BadInput(
              "status "
                  + status
                  + " does not go with outcome "
                  + outcome.id()
                  + ": passed is status 0, and only passed is");
        }
        String reason = query.optional("reason").orElse("");
        if (reason.length() > 2000) {
          throw new BadInput("reason of " + reason.length() + " characters is over 2000");
        }
        json(
            exchange,
            200,
            coordinator.outcome(
                worker.name(), jobId(query), outcome, status, Printable.of(reason)));
      }
      case "poll" -> poll(exchange, query);
      default -> throw HttpError.notFound("no coordinator route " + exchange.getRelativePath());
    }
  }

  private void poll(HttpServerExchange exchange, Query query) throws IOException {
    Worker worker = require(exchange, Scope.AGENT);
    Set<String> labels = new LinkedHashSet<>();
    String list = query.optional("labels").orElse("");
    if (!list.isEmpty()) {
      for (String label : list.split(",", -1)) {
        labels.add(JobSpec.requireLabel("labels", label));
      }
    }
    if (labels.size() > JobSpec.MAX_LABELS * 4) {
      throw new BadInput("labels: at most " + JobSpec.MAX_LABELS * 4 + " labels");
    }
    int capacity = query.integer("capacity", 1000).orElse(1);
    if (capacity < 1) {
      throw new BadInput("capacity '0' must be an integer from 1 to 1000");
    }
    int wait = query.integer("wait", MAX_WAIT_SECONDS).orElse(20);
    String address = CredentialGate.clientAddress(exchange);
    // The answer comes later, from whichever thread hands out a job or ends the wait: the exchange
    // stays open once this handler returns, and holds no thread meanwhile.
    exchange.dispatch(
        SameThreadExecutor.INSTANCE,
        () ->
            coordinator.poll(
                worker.name(),
                labels,
                capacity,
                Duration.ofSeconds(wait),
                address,
                () -> exchange.getConnection().isOpen(),
                job -> answerPoll(exchange, job)));
  }

  private static void answerPoll(HttpServerExchange exchange, Optional<ObjectNode> job) {
    try {
      exchange
          .getConnection()
          .getWorker()
          .execute(
              () -> {
                if (job.isPresent()) {
                  json(exchange, 200, job.get());
                } else {
                  exchange.setStatusCode(204);
                  exchange.endExchange();
                }
              });
    } catch (RejectedExecutionException e) {
      // The server is stopping: the connection goes with it; a leased job's lease runs out.
    }
  }

  /**
   * Lets a submit's body be read only for a worker of scope {@code submit} (whose token {@code
   * CredentialGate} verified): 403 before a byte of the body is taken.
   */
  public static void admitSubmit(HttpServerExchange exchange) {
    CredentialGate.worker(exchange)
        .ifPresent(worker -> requireScope(exchange, worker, Scope.SUBMIT));
  }

  /** The 413 of a submit body of {@code size} ("8388609 bytes"), over {@link #MAX_BODY}. */
  public static HttpError tooLarge(String size) {
    return HttpError.tooLarge(
        "submit body of "
            + size
            + " is over the limit of "
            + MAX_BODY
            + " bytes (8 MiB); split the run into several submits");
  }

  private Worker require(HttpServerExchange exchange, Scope scope) throws IOException {
    Worker worker = auth.authenticate(exchange.getRequestHeaders().getFirst(Headers.AUTHORIZATION));
    requireScope(exchange, worker, scope);
    return worker;
  }

  private static void requireScope(HttpServerExchange exchange, Worker worker, Scope scope) {
    if (!worker.may(scope)) {
      throw HttpError.forbidden(
          "worker '"
              + worker.name()
              + "' lacks scope '"
              + scope.id()
              + "' for "
              + exchange.getRelativePath()
              + " (soil-server add-worker "
              + worker.name()
              + " --replace --scopes …,"
              + scope.id()
              + ")");
    }
  }

  private static long jobId(Query query) {
    String value = query.require("job");
    if (!value.matches("[1-9][0-9]{0,17}")) {
      throw new BadInput(
          "job '" + Printable.of(value) + "' must be a coordinator job id: a whole number from 1");
    }
    return Long.parseLong(value);
  }

  private static JsonNode body(HttpServerExchange exchange) {
    byte[] bytes =
        SmallBody.of(exchange)
            .orElseThrow(() -> new IllegalStateException("submit without SmallBody in front"));
    try {
      return QueueLog.JSON.readTree(new String(bytes, StandardCharsets.UTF_8));
    } catch (JsonProcessingException e) {
      throw new BadInput("submit body is not valid JSON: " + e.getOriginalMessage(), e);
    }
  }

  static void json(HttpServerExchange exchange, int status, JsonNode body) {
    byte[] bytes;
    try {
      bytes = QueueLog.JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(body);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    exchange.setStatusCode(status);
    exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/json; charset=utf-8");
    exchange.getResponseHeaders().put(NOSNIFF, "nosniff");
    exchange.getResponseHeaders().put(Headers.CACHE_CONTROL, "no-cache");
    exchange.getResponseSender().send(java.nio.ByteBuffer.wrap(bytes));
  }
}
