package io.soilci.server.http;

import io.undertow.io.Receiver;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.AttachmentKey;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
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

  /** Refuses a request before its body is read (throws the {@link HttpError} to answer). */
  @FunctionalInterface
  public interface Admission {
    /** No check beyond the credentials already verified. */
    Admission ANY = exchange -> {};

    void check(HttpServerExchange exchange);
  }

  private final HttpHandler next;
  private final int maxBytes;
  private final Function<String, HttpError> tooLarge;
  private final Budget budget;
  private final Function<HttpServerExchange, String> holder;
  private final Admission admission;
  private final long drainBytes;

  /**
   * Reads bodies of at most {@code maxBytes} (over it: {@code tooLarge} of the size, e.g. "65537
   * bytes"), holding them against {@code budget} as {@code holder}'s (the worker whose token the
   * request carries: each has a share of the budget), once {@code admission} let the request in;
   * then hands the request to {@code next} (a blocking handler, which gets the body from {@link
   * #of}).
   */
  public SmallBody(
      HttpHandler next,
      int maxBytes,
      Function<String, HttpError> tooLarge,
      Budget budget,
      Function<HttpServerExchange, String> holder,
      Admission admission,
      long drainBytes) {
    this.next = next;
    this.maxBytes = maxBytes;
    this.tooLarge = tooLarge;
    this.budget = budget;
    this.holder = holder;
    this.admission = admission;
    this.drainBytes = drainBytes;
  }

  /** The body {@link SmallBody} read for {@code exchange}; empty for a request it did not read. */
  public static Optional<byte[]> of(HttpServerExchange exchange) {
    return Optional.ofNullable(exchange.getAttachment(BODY));
  }

  @Override
  public void handleRequest(HttpServerExchange exchange) throws Exception {
    try {
      admission.check(exchange);
    } catch (HttpError e) {
      Refusal.send(exchange, e, drainBytes);
      return;
    }
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
    String who = holder.apply(exchange);
    Optional<HttpError> full = budget.take(who, held);
    if (full.isPresent()) {
      Refusal.send(exchange, full.get(), drainBytes);
      return;
    }
    exchange.addExchangeCompleteListener(
        (done, proceed) -> {
          budget.give(who, held);
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

  /**
   * The bytes that bodies being read may hold at once: in all, and of one worker at most a {@link
   * #SHARE}th of that, so that one token trickling many bodies leaves the rest to the others.
   */
  public static final class Budget {
    /** One worker holds at most this fraction (1/SHARE) of the budget. */
    public static final int SHARE = 4;

    private final long limit;
    private final long perHolder;
    private final String what;
    private long held;
    private final Map<String, Long> byHolder = new HashMap<>();

    /** {@code limit} bytes of {@code what} ("request bodies", "submit bodies"). */
    public Budget(long limit, String what) {
      this.limit = limit;
      this.perHolder = limit / SHARE;
      this.what = what;
    }

    /** Takes {@code bytes} for {@code holder}; the 503 to answer when it is over a limit. */
    synchronized Optional<HttpError> take(String holder, long bytes) {
      long mine = byHolder.getOrDefault(holder, 0L);
      if (mine + bytes > perHolder) {
        return Optional.of(
            HttpError.busy(
                "worker '"
                    + holder
                    + "' is sending "
                    + mine
                    + " bytes of "
                    + what
                    + " already, and this one would pass its share of "
                    + perHolder
                    + " (a quarter of the "
                    + limit
                    + " the server receives from slow clients at once); retry in "
                    + RETRY_AFTER_SECONDS
                    + " seconds",
                RETRY_AFTER_SECONDS));
      }
      if (held + bytes > limit) {
        return Optional.of(
            HttpError.busy(
                "the server is receiving "
                    + limit
                    + " bytes of "
                    + what
                    + " from slow clients already; retry in "
                    + RETRY_AFTER_SECONDS
                    + " seconds",
                RETRY_AFTER_SECONDS));
      }
      held += bytes;
      byHolder.put(holder, mine + bytes);
      return Optional.empty();
    }

    synchronized void give(String holder, long bytes) {
      held -= bytes;
      long left = byHolder.getOrDefault(holder, 0L) - bytes;
      if (left > 0) {
        byHolder.put(holder, left);
      } else {
        byHolder.remove(holder);
      }
    }
  }
}
