package io.soilci.server.http;

import io.soilci.result.BadInput;
import io.soilci.result.FolderIsAFile;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.AttachmentKey;
import io.undertow.util.HttpString;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystemException;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.IoUtils;

/**
 * Turns exceptions into statuses: bad input 400 with its message, {@link HttpError} its own status,
 * a full disk 507 with {@code Retry-After}, a plain file where the site's folder should be ({@link
 * FolderIsAFile}) 500 with its message, other I/O failures 500 with one log line that starts with
 * the run and job. Wraps the handler directly: a blocking handler as {@code
 * BlockingHandler(ErrorMapper(handler))}, since BlockingHandler dispatches to a worker thread and
 * exceptions thrown there never come back out of it (Undertow answers 500); a read dispatched to a
 * worker thread but answered non-blocking is wrapped inside the dispatch, without BlockingHandler.
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
    } catch (BadInput | HttpError | IOException | UncheckedIOException e) {
      Optional<HttpError> cut = PacedBody.cut(exchange);
      if (cut.isPresent()) {
        // Draining a body that trickles would hold this thread: answer, then close.
        answerAndClose(exchange, cut.get());
        return;
      }
      map(exchange, e);
    }
  }

  private void map(HttpServerExchange exchange, Exception thrown) {
    try {
      // A replica's feed hands a change it could not apply back wrapped (ReplicaFeed).
      throw thrown instanceof UncheckedIOException u && u.getCause() instanceof FolderIsAFile plain
          ? plain
          : thrown;
    } catch (BadInput e) {
      answer(exchange, 400, String.valueOf(e.getMessage()), Map.of());
    } catch (HttpError e) {
      answer(exchange, e.status(), String.valueOf(e.getMessage()), e.headers());
    } catch (FolderIsAFile e) {
      // The server's own folder is broken by hand: the operator has to fix it, so say how.
      LOG.error(
          "{}: {} {} failed: {}",
          exchange.getAttachment(SUBJECT),
          exchange.getRequestMethod(),
          exchange.getRequestPath(),
          e.getMessage());
      answer(exchange, 500, String.valueOf(e.getMessage()), Map.of());
    } catch (IOException | UncheckedIOException e) {
      String subject = exchange.getAttachment(SUBJECT);
      if (!exchange.getConnection().isOpen()) {
        LOG.info("{}: client closed the connection mid-request: {}", subject, e.getMessage());
        return;
      }
      if (isDiskFull(e)) {
        LOG.error("{}: disk full: {}", subject == null ? "-" : subject, e.toString());
        answer(
            exchange,
            507,
            "the server's disk is full (No space left on device); this request was not"
                + " acknowledged: retry later",
            Map.of("Retry-After", "60"));
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
    } catch (Exception e) {
      throw new IllegalStateException("unmapped " + e, e);
    }
  }

  private static void answerAndClose(HttpServerExchange exchange, HttpError error) {
    if (!exchange.isResponseStarted()) {
      exchange.setPersistent(false);
      exchange.getResponseHeaders().put(HttpString.tryFromString("Connection"), "close");
      Responses.text(exchange, error.status(), String.valueOf(error.getMessage()));
    }
    // Closed now, so ending the exchange cannot wait for the rest of the body.
    IoUtils.safeClose(exchange.getConnection());
  }

  /** ENOSPC, as the JDK reports it from a write, a create or a rename. */
  static boolean isDiskFull(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      String text =
          t instanceof FileSystemException fs
              ? fs.getReason() + " " + fs.getMessage()
              : t.getMessage();
      if (text != null && text.contains("No space left on device")) {
        return true;
      }
    }
    return false;
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
