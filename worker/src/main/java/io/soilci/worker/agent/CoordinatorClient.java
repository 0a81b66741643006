package io.soilci.worker.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.soilci.worker.WorkerFailure;
import io.soilci.worker.publish.Token;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;

/**
 * The coordinator's HTTP API as an agent and a submitter use it. A 4xx answer is {@link Refused}
 * with the server's one-line reason (a 429 with its {@code Retry-After}); no answer or a 5xx is
 * {@link Unreachable}, which callers may try again.
 */
final class CoordinatorClient {
  static final ObjectMapper JSON = new ObjectMapper();

  /**
   * The server refused the request (4xx): trying again cannot help, but for a 429 (too many
   * requests, e.g. failed logins from this address) once {@link #retryAfter} has passed.
   */
  static final class Refused extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final int status;
    final String reason;

    /** The route asked, without its query: {@code coordinator/poll}. */
    final String route;

    /** The answer's {@code Retry-After} in seconds; zero when it had none (or not a number). */
    final Duration retryAfter;

    Refused(int status, String reason, String route, Duration retryAfter) {
      super("the server refused (" + status + "): " + reason);
      this.status = status;
      this.reason = reason;
      this.route = route;
      this.retryAfter = retryAfter;
    }
  }

  /** No answer, or a 5xx: the server may answer later. */
  static final class Unreachable extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final Duration retryAfter;

    Unreachable(String message, Duration retryAfter) {
      super(message);
      this.retryAfter = retryAfter;
    }
  }

  private final URI base;
  private final Token token;
  private final HttpClient http;

  CoordinatorClient(URI base, Token token) {
    this.base = base;
    this.token = token;
    this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  }

  URI base() {
    return base;
  }

  JsonNode submit(JsonNode run) {
    return post("coordinator/submit", JSON.valueToTree(run).toString(), Duration.ofSeconds(60))
        .orElseThrow(() -> new WorkerFailure("submit: the server answered without a body"));
  }

  JsonNode cancel(long job) {
    return post("coordinator/cancel?job=" + job, "", Duration.ofSeconds(30))
        .orElseThrow(() -> new WorkerFailure("cancel: the server answered without a body"));
  }

  /** A job for an agent with these labels and capacity, or empty after {@code wait}. */
  Optional<JsonNode> poll(String labels, int capacity, Duration wait) {
    return post(
        "coordinator/poll?labels="
            + encode(labels)
            + "&capacity="
            + capacity
            + "&wait="
            + wait.toSeconds(),
        "",
        wait.plusSeconds(30));
  }

  JsonNode heartbeat(long job) {
    return post("coordinator/heartbeat?job=" + job, "", Duration.ofSeconds(30))
        .orElseThrow(() -> new WorkerFailure("heartbeat: the server answered without a body"));
  }

  void outcome(long job, String outcome, int status, String reason) {
    post(
        "coordinator/outcome?job="
            + job
            + "&outcome="
            + outcome
            + "&status="
            + status
            + "&reason="
            + encode(reason),
        "",
        Duration.ofSeconds(30));
  }

  /**
   * Asks whether the token may publish {@code workerHost}'s jobs ({@code POST /credentials}, which
   * changes nothing): returns when it may, {@link Refused} when not (401, 403; a 404 from a server
   * without the check).
   */
  void checkPublishing(String workerHost) {
    send("credentials?workerHost=" + encode(workerHost), "", Duration.ofSeconds(30));
  }

  private Optional<JsonNode> post(String pathAndQuery, String body, Duration timeout) {
    Optional<String> text = send(pathAndQuery, body, timeout);
    if (text.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(JSON.readTree(text.get()));
    } catch (IOException e) {
      throw new WorkerFailure(
          base + pathAndQuery + " answered with no JSON: " + firstLine(text.get()), e);
    }
  }

  /** The answer's body (empty for a 204), else {@link Refused} or {@link Unreachable}. */
  private Optional<String> send(String pathAndQuery, String body, Duration timeout) {
    HttpRequest request =
        HttpRequest.newBuilder(base.resolve(pathAndQuery))
            .timeout(timeout)
            .header("Authorization", token.authorization())
            .header("Content-Type", "application/json")
            .header("User-Agent", "soil-worker")
            .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
            .build();
    HttpResponse<String> response;
    try {
      response = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new Unreachable("cannot reach " + base + ": " + e, Duration.ZERO);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new WorkerFailure("interrupted while asking " + base, e);
    }
    int status = response.statusCode();
    String text = response.body().strip();
    if (status == 204) {
      return Optional.empty();
    }
    String route = pathAndQuery.replaceAll("\\?.*", "");
    if (status >= 500) {
      throw new Unreachable(
          base + route + " answered " + status + ": " + firstLine(text), retryAfter(response));
    }
    if (status >= 400) {
      throw new Refused(status, firstLine(text), route, retryAfter(response));
    }
    return Optional.of(text);
  }

  /** {@code Retry-After} in seconds (its date form is not read), else zero. */
  private static Duration retryAfter(HttpResponse<String> response) {
    return response
        .headers()
        .firstValue("Retry-After")
        .filter(v -> v.matches("\\d{1,6}"))
        .map(v -> Duration.ofSeconds(Long.parseLong(v)))
        .orElse(Duration.ZERO);
  }

  private static String firstLine(String text) {
    int newline = text.indexOf('\n');
    return newline < 0 ? text : text.substring(0, newline);
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }
}
