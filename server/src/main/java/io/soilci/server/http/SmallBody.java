package io.soilci.server.http;

import io.undertow.io.Receiver;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.AttachmentKey;
import java.io.IOException;
import java.util.Optional;
import java.util.function.Function;
import org.xnio.IoUtils;

/**
 * A write whose body is small and bounded (an event, which has none, a live log chunk) gets its
 * whole body read on the IO thread, non-blocking, before it takes a worker thread: a client that
 * trickles its body holds a connection and at most {@code maxBytes} of memory, never one of the
 * worker threads that every other request needs (16 slow chunks held them all). A body over {@code
 * maxBytes}, declared or found while reading, is refused 413 with the route's own message; the
 * memory all such bodies hold at once is bounded by {@link Budget} (503 past it).
 */
public final class SmallBody implements HttpHandler {
  private static final AttachmentKey<byte[]> BODY = AttachmentKey.create(byte[].class);
  private static final int RETRY_AFTER_SECONDS = 2;

  private final HttpHandler next;
  private final int maxBytes;
  private final Function<String, HttpError> tooLarge;
  private final Budget budget;
  private final long drainBytes;

  /**
   * Reads bodies of at most {@code maxBytes} (over it: {@code tooLarge} of the size, e.g. "65537
   * bytes"), holding them against {@code budget}, then hands the request to {@code next} (a
   * blocking handler, which gets the body from {@link #of}).
   */
  public SmallBody(
      HttpHandler next,
      int maxBytes,
      Function<String, HttpError> tooLarge,
      Budget budget,
      long drainBytes) {
    this.next = next;
    this.maxBytes = maxBytes;
    this.tooLarge = tooLarge;
    this.budget = budget;
    this.drainBytes = drainBytes;
  }

  /** The body {@link SmallBody} read for {@code exchange}; empty for a request it did not read. */
  public static Optional<byte[]> of(HttpServerExchange exchange) {
    return Optional.ofNullable(exchange.getAttachment(BODY));
  }

  @Override
  public void handleRequest(HttpServerExchange exchange) throws Exception {
    if (exchange.isRequestComplete()) {
      exchange.putAttachment(BODY, new byte[0]);
      next.handleRequest(exchange);
      return;
    }
    long declared = exchange.getRequestContentLength();
    if (declared > maxBytes) {
      Refusal.send(exchange, tooLarge.apply(declared + " bytes"), drainBytes);
      return;
    }
    long held = declared >= 0 ? declared : maxBytes;
    if (!budget.take(held)) {
      Refusal.send(
          exchange,
          HttpError.busy(
              "the server is receiving "
                  + budget.limit
                  + " bytes of request bodies from slow clients already; retry in "
                  + RETRY_AFTER_SECONDS
                  + " seconds",
              RETRY_AFTER_SECONDS),
          drainBytes);
      return;
    }
    exchange.addExchangeCompleteListener(
        (done, proceed) -> {
          budget.give(held);
          proceed.proceed();
        });
    Receiver receiver = exchange.getRequestReceiver();
    receiver.setMaxBufferSize(maxBytes);
    receiver.receiveFullBytes(
        (whole, bytes) -> {
          whole.putAttachment(BODY, bytes);
          try {
            next.handleRequest(whole);
          } catch (Exception e) {
            // The next handler maps its own errors (ErrorMapper); anything else ends the request.
            IoUtils.safeClose(whole.getConnection());
          }
        },
        (failed, e) -> refuse(failed, e));
  }

  private void refuse(HttpServerExchange exchange, IOException e) {
    Optional<HttpError> cut = PacedBody.cut(exchange);
    if (cut.isPresent()) {
      Refusal.send(exchange, cut.get(), 0);
    } else if (e instanceof Receiver.RequestToLargeException) {
      Refusal.send(exchange, tooLarge.apply("more than " + maxBytes + " bytes"), 0);
    } else {
      // The client went away or stopped sending (read timeout): nobody to answer.
      IoUtils.safeClose(exchange.getConnection());
      exchange.endExchange();
    }
  }

  /** The bytes that bodies being read may hold at once, in all. */
  public static final class Budget {
    private final long limit;
    private long held;

    public Budget(long limit) {
      this.limit = limit;
    }

    synchronized boolean take(long bytes) {
      if (held + bytes > limit) {
        return false;
      }
      held += bytes;
      return true;
    }

    synchronized void give(long bytes) {
      held -= bytes;
    }
  }
}
