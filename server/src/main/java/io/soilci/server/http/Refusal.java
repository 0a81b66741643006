package io.soilci.server.http;

import io.undertow.io.IoCallback;
import io.undertow.io.Sender;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.protocol.http.HttpContinue;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.xnio.ChannelListener;
import org.xnio.IoUtils;
import org.xnio.XnioExecutor;
import org.xnio.channels.Channels;
import org.xnio.channels.StreamSourceChannel;

/**
 * Refuses a request whose body has not been read, without waiting for that body on a thread: the
 * answer is written non-blocking, and then the body the client goes on sending is read and dropped
 * on the IO thread, at most {@code drainBytes} and for at most {@link #LINGER_SECONDS}, so that a
 * client busy writing its upload reads the answer instead of a reset (a socket closed with unread
 * bytes sends RST, which throws away the answer still unread at the client); then the connection is
 * closed. A client that sends one byte a second therefore holds no thread, and its connection only
 * for the linger.
 */
public final class Refusal {
  /** How long a refused body is read and dropped at most. */
  public static final long LINGER_SECONDS = 10;

  private static final HttpString CONNECTION_CLOSE = Headers.CONNECTION;

  private Refusal() {}

  /**
   * Answers {@code error} (status, headers, one-line body); when a body may follow, drops up to
   * {@code drainBytes} of it and closes.
   */
  public static void send(HttpServerExchange exchange, HttpError error, long drainBytes) {
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
                  dropBodyAndClose(done, drainBytes);
                } else {
                  done.endExchange();
                }
              }

              @Override
              public void onException(
                  HttpServerExchange failed, Sender sender, IOException exception) {
                IoUtils.safeClose(failed.getConnection());
                failed.endExchange();
              }
            });
  }

  /**
   * Reads and drops the rest of the body as it comes, then ends the exchange (the connection
   * closes, as it is not persistent). Past {@code drainBytes}, past the linger, or when the client
   * waits for a {@code 100 Continue} that will not come (it sends no body), the connection is
   * closed at once.
   */
  private static void dropBodyAndClose(HttpServerExchange exchange, long drainBytes) {
    StreamSourceChannel body = exchange.getRequestChannel();
    boolean noBodyComing =
        HttpContinue.requiresContinueResponse(exchange)
            && !HttpContinue.isContinueResponseSent(exchange);
    if (body == null || noBodyComing || exchange.getRequestContentLength() > drainBytes) {
      close(exchange);
      return;
    }
    XnioExecutor.Key linger =
        exchange
            .getIoThread()
            .executeAfter(() -> close(exchange), LINGER_SECONDS, TimeUnit.SECONDS);
    long[] left = {drainBytes};
    ChannelListener<StreamSourceChannel> drop =
        channel -> {
          try {
            long read;
            while (left[0] > 0 && (read = Channels.drain(channel, left[0])) != 0) {
              if (read < 0) {
                linger.remove();
                channel.suspendReads();
                exchange.endExchange();
                return;
              }
              left[0] -= read;
            }
            if (left[0] <= 0) {
              linger.remove();
              close(exchange);
            }
          } catch (IOException e) {
            linger.remove();
            close(exchange);
          }
        };
    body.getReadSetter().set(drop);
    drop.handleEvent(body);
    if (body.isOpen() && !exchange.isComplete()) {
      body.resumeReads();
    }
  }

  private static void close(HttpServerExchange exchange) {
    IoUtils.safeClose(exchange.getConnection());
    exchange.endExchange();
  }
}
