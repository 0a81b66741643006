package io.soilci.worker.publish;

import io.soilci.worker.WorkerFailure;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import javax.net.ssl.SSLException;

/**
 * How the server answered one request, or that it could not be reached.
 *
 * @param status the HTTP status, 0 when there was no answer
 * @param reason the first line of the answer's body, or what went wrong on the way
 * @param retryAfter what the server's {@code Retry-After} asked for, else zero
 * @param hopeless no answer, and trying again cannot help (https to a plain HTTP server or back)
 */
record Answer(int status, String reason, Duration retryAfter, boolean hopeless) {
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
    return new Answer(response.statusCode(), cut(line), retryAfter, false);
  }

  /**
   * No answer from {@code server} because of {@code e}. {@code speaksTls} says whether the server
   * answers a TLS handshake, asked only when a plain HTTP request reached the port but got no HTTP
   * answer back (a TLS server closes, or answers with a binary alert); {@code acceptsConnections}
   * whether its port takes a TCP connection, asked only when an https connection (its TLS handshake
   * included) took longer than {@code connectTimeout}. Hopeless, so not tried again: an unknown
   * host, a TLS mismatch either way, a port that takes connections but never shakes hands.
   */
  static Answer unreachable(
      URI server,
      IOException e,
      Duration connectTimeout,
      BooleanSupplier speaksTls,
      BooleanSupplier acceptsConnections) {
    String cannot = "cannot reach " + server + ": ";
    if (causedBy(e, UnresolvedAddressException.class) || causedBy(e, UnknownHostException.class)) {
      return new Answer(
          0,
          cannot
              + "unknown host "
              + server.getHost()
              + " (no address found for it); check the host name in --server",
          Duration.ZERO,
          true);
    }
    if (causedBy(e, SSLException.class) && "https".equals(server.getScheme())) {
      return new Answer(
          0,
          cannot
              + "the TLS handshake failed ("
              + e.getMessage()
              + "); if the server speaks plain HTTP there, use http:// in --server",
          Duration.ZERO,
          true);
    }
    if ("https".equals(server.getScheme())
        && e instanceof HttpConnectTimeoutException
        && acceptsConnections.getAsBoolean()) {
      return new Answer(
          0,
          cannot
              + "the port takes connections but no TLS handshake came back within "
              + connectTimeout.toSeconds()
              + " s; check the port in --server (a server speaking plain HTTP there needs"
              + " http://)",
          Duration.ZERO,
          true);
    }
    if ("http".equals(server.getScheme())
        && !(e instanceof ConnectException)
        && !(e instanceof HttpTimeoutException)
        && speaksTls.getAsBoolean()) {
      return new Answer(
          0,
          cannot + "the server speaks TLS (HTTPS) there; use https:// in --server",
          Duration.ZERO,
          true);
    }
    String what =
        e instanceof ConnectException
            ? "connection refused"
            : e instanceof HttpTimeoutException ? "timed out" : e.toString();
    return new Answer(0, cannot + what, Duration.ZERO, false);
  }

  private static boolean causedBy(Throwable e, Class<? extends Throwable> type) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (type.isInstance(t)) {
        return true;
      }
    }
    return false;
  }

  boolean succeeded() {
    return status >= 200 && status < 300;
  }

  /** Worth another try: no answer (unless hopeless), or a server error (including 503 busy). */
  boolean retryable() {
    return (status == 0 && !hopeless) || status >= 500;
  }

  /** One line for the person reading the CI log. */
  String describe() {
    if (status == 0) {
      return reason;
    }
    return "HTTP " + status + (reason.isEmpty() ? "" : ": " + reason);
  }

  /**
   * The server refused the token (401) or what it may write (403): every later request with it is
   * refused too.
   */
  boolean refusesToken() {
    return status == 401 || status == 403;
  }

  /** Throws a one-line failure naming {@code what} unless this answer is a success. */
  void requireSuccess(String what, URI server) {
    if (!succeeded()) {
      throw failure(what, server);
    }
  }

  /** The one-line failure of {@code what}, which got this answer from {@code server}. */
  WorkerFailure failure(String what, URI server) {
    if (refusesToken()) {
      return new WorkerFailure(
          "server "
              + server
              + " refused the worker token ("
              + describe()
              + "); check SOIL_TOKEN or --token-file and the token's scopes");
    }
    return new WorkerFailure(what + " failed: " + describe());
  }

  private static String cut(String line) {
    return line.length() > 300 ? line.substring(0, 300) + "..." : line;
  }
}
