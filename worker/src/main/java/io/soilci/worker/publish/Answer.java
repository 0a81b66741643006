package io.soilci.worker.publish;

import io.soilci.worker.WorkerFailure;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;

/**
 * How the server answered one request, or that it could not be reached.
 *
 * @param status the HTTP status, 0 when there was no answer
 * @param reason the first line of the answer's body, or what went wrong on the way
 * @param retryAfter what the server's {@code Retry-After} asked for, else zero
 */
record Answer(int status, String reason, Duration retryAfter) {
  static Answer of(HttpResponse<String> response) {
    String body = response.body().strip();
    int newline = body.indexOf('\n');
    String line = newline < 0 ? body : body.substring(0, newline);
    Duration retryAfter =
        response
            .headers()
            .firstValue("Retry-After")
            .filter(v -> v.strip().matches("\\d{1,6}"))
            .map(v -> Duration.ofSeconds(Long.parseLong(v.strip())))
            .orElse(Duration.ZERO);
    return new Answer(response.statusCode(), cut(line), retryAfter);
  }

  static Answer unreachable(URI server, Exception e) {
    String what =
        e instanceof ConnectException
            ? "connection refused"
            : e instanceof HttpTimeoutException ? "timed out" : e.toString();
    return new Answer(0, "cannot reach " + server + ": " + what, Duration.ZERO);
  }

  boolean succeeded() {
    return status >= 200 && status < 300;
  }

  /** Worth another try: no answer, or a server error (including 503 busy). */
  boolean retryable() {
    return status == 0 || status >= 500;
  }

  /** One line for the person reading the CI log. */
  String describe() {
    if (status == 0) {
      return reason;
    }
    return "HTTP " + status + (reason.isEmpty() ? "" : ": " + reason);
  }

  /** Throws a one-line failure naming {@code what} unless this answer is a success. */
  void requireSuccess(String what, URI server) {
    if (succeeded()) {
      return;
    }
    if (status == 401 || status == 403) {
      throw new WorkerFailure(
          "server "
              + server
              + " refused the worker token ("
              + describe()
              + "); check SOIL_TOKEN or --token-file and the token's scopes");
    }
    throw new WorkerFailure(what + " failed: " + describe());
  }

  private static String cut(String line) {
    return line.length() > 300 ? line.substring(0, 300) + "..." : line;
  }
}
