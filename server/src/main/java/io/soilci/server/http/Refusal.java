package io.soilci.server.http;

import io.undertow.io.IoCallback;
import io.undertow.io.Sender;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.xnio.IoUtils;
import org.xnio.channels.Channels;
import org.xnio.channels.StreamSourceChannel;

/**
 * Refuses a request whose body has not been read, without waiting for that body: the answer is
 * written non-blocking, what already arrived is dropped, and the connection is closed. A client
 * that sends one byte a second therefore holds no thread and no connection once refused.
 */
public final class Refusal {
  private static final HttpString CONNECTION_CLOSE = Headers.CONNECTION;

  private Refusal() {}

  /** Answers {@code error} (status, headers, one-line body); closes if a body may follow. */
  public static void send(HttpServerExchange exchange, HttpError error) {
    boolean bodyLeft = !exchange.isRequestComplete();
    exchange.setStatusCode(error.status());
    error.headers().forEach((k, v) -> exchange.getResponseHeaders().put(new HttpString(k), v));
    exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, Responses.TEXT);
    exchange.getResponseHeaders().put(new HttpString("X-Content-Type-Options"), "nosniff");
    if (bodyLeft) {
      exchange.setPersistent(false);
      exchange.getResponseHeaders().put(CONNECTION_CLOSE, "close");
    }
    exchange
        .getResponseSender()
        .send(
            error.getMessage() + "\n",
            StandardCharsets.UTF_8,
            new IoCallback() {
              @Override
              public void onComplete(HttpServerExchange done, Sender sender) {
                if (bodyLeft) {
                  dropArrivedAndClose(done);
                }
                done.endExchange();
              }

              @Override
              public void onException(
                  HttpServerExchange failed, Sender sender, IOException exception) {
                IoUtils.safeClose(failed.getConnection());
                failed.endExchange();
              }
            });
  }

  /** Reads (without waiting) what the client sent already, so closing sends FIN, not RST. */
  private static void dropArrivedAndClose(HttpServerExchange exchange) {
    StreamSourceChannel body = exchange.getRequestChannel();
    if (body != null) {
      try {
        Channels.drain(body, 1 << 20);
      } catch (IOException e) {
        // Closing anyway.
      }
    }
    IoUtils.safeClose(exchange.getConnection());
  }
}
