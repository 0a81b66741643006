package io.soilci.server.http;

import io.soilci.result.BadInput;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.AttachmentKey;
import io.undertow.util.HttpString;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns exceptions into statuses: bad input 400 with its message, {@link HttpError} its own status,
 * I/O failures 500 with one log line that starts with the run and job. Must sit inside {@code
 * BlockingHandler}, where the handler's exceptions are thrown.
 */
public final class ErrorMapper implements HttpHandler {
  private static final Logger LOG = LoggerFactory.getLogger(ErrorMapper.class);
  private static final AttachmentKey<String> SUBJECT = AttachmentKey.create(String.class);

  private final HttpHandler next;
  private final long drainBytes;

  public ErrorMapper(HttpHandler next, long drainBytes) {
    this.next = next;
    this.drainBytes = drainBytes;
  }

  /** Names what the request is about (e.g. {@code github-jobs/4101/cpp-small}) for error logs. */
  public static void about(HttpServerExchange exchange, String subject) {
    exchange.putAttachment(SUBJECT, subject);
  }

  @Override
  public void handleRequest(HttpServerExchange exchange) throws Exception {
    try {
      next.handleRequest(exchange);
    } catch (BadInput e) {
      answer(exchange, 400, String.valueOf(e.getMessage()), Map.of());
    } catch (HttpError e) {
      answer(exchange, e.status(), String.valueOf(e.getMessage()), e.headers());
    } catch (IOException | UncheckedIOException e) {
      String subject = exchange.getAttachment(SUBJECT);
      if (!exchange.getConnection().isOpen()) {
        LOG.info("{}: client closed the connection mid-request: {}", subject, e.getMessage());
        return;
      }
      LOG.error(
          "{}: {} {} failed: {}",
          subject == null ? "-" : subject,
          exchange.getRequestMethod(),
          exchange.getRequestPath(),
          e.toString());
      answer(
          exchange, 500, "internal error storing or reading files; see the server log", Map.of());
    }
  }

  private void answer(
      HttpServerExchange exchange, int status, String message, Map<String, String> headers) {
    if (exchange.isResponseStarted()) {
      exchange.setPersistent(false);
      exchange.endExchange();
      return;
    }
    Bodies.drain(exchange, drainBytes);
    headers.forEach(
        (name, value) -> exchange.getResponseHeaders().put(new HttpString(name), value));
    Responses.text(exchange, status, message);
  }
}
