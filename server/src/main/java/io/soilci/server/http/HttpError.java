package io.soilci.server.http;

import java.util.Map;

/**
 * A request refused with a status other than 400: too large, not authenticated, not allowed, busy.
 * Its message is the plain-text body; {@link ErrorMapper} writes both.
 */
public final class HttpError extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int status;
  private final Map<String, String> headers;

  private HttpError(int status, String message, Map<String, String> headers) {
    super(message);
    this.status = status;
    this.headers = Map.copyOf(headers);
  }

  public static HttpError tooLarge(String message) {
    return new HttpError(413, message, Map.of());
  }

  /**
   * 401 without a challenge: a challenge makes a browser ask for and then keep credentials, which a
   * page could reuse; only reads of a private site ask ({@link #challenging}).
   */
  public static HttpError unauthorized(String message) {
    return new HttpError(401, message, Map.of());
  }

  /** This 401 with {@code WWW-Authenticate: Basic}, so a person's browser asks for a token. */
  public HttpError challenging() {
    return new HttpError(
        status,
        String.valueOf(getMessage()),
        Map.of("WWW-Authenticate", "Basic realm=\"soil\", charset=\"UTF-8\""));
  }

  public static HttpError tooManyFailures(String message, long retryAfterSeconds) {
    return new HttpError(429, message, Map.of("Retry-After", Long.toString(retryAfterSeconds)));
  }

  public static HttpError timeout(String message) {
    return new HttpError(408, message, Map.of());
  }

  public static HttpError forbidden(String message) {
    return new HttpError(403, message, Map.of());
  }

  /** 409: the request contradicts what the server decided, e.g. an event of a job declared lost. */
  public static HttpError conflict(String message) {
    return new HttpError(409, message, Map.of());
  }

  public static HttpError notFound(String message) {
    return new HttpError(404, message, Map.of());
  }

  public static HttpError busy(String message, int retryAfterSeconds) {
    return new HttpError(503, message, Map.of("Retry-After", Integer.toString(retryAfterSeconds)));
  }

  public int status() {
    return status;
  }

  public Map<String, String> headers() {
    return headers;
  }
}
