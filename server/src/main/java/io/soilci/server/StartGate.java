package io.soilci.server;

import io.soilci.server.http.HttpError;
import io.soilci.server.http.Refusal;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.SameThreadExecutor;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The server's first handler while it starts: it listens before the site's index is loaded (so
 * Undertow's start and a first request's way in overlap the load), and every request that comes
 * before {@link #open} is held, unanswered, then handed to the routes as if it had just come. No
 * request is answered before the routes exist, and the routes exist only once the site is open:
 * none sees a half-loaded index. A held request holds no thread: it waits in a list, of at most
 * {@code guards.maxWaitingAtStart}; one more gets 503 with {@code Retry-After: 1} at once.
 */
final class StartGate implements HttpHandler {
  private final int maxWaiting;
  private final long drainBytes;

  /** The routes, once open; read without a lock on every request after the start. */
  private volatile @Nullable HttpHandler routes;

  /** Requests that came before the routes: guarded by {@code this}. */
  private final List<HttpServerExchange> held = new ArrayList<>();

  /**
   * A gate that holds at most {@code maxWaiting} requests; a refused one's body is dropped up to
   * {@code drainBytes} ({@link Refusal}).
   */
  StartGate(int maxWaiting, long drainBytes) {
    this.maxWaiting = maxWaiting;
    this.drainBytes = drainBytes;
  }

  @Override
  public void handleRequest(HttpServerExchange exchange) throws Exception {
    HttpHandler open = routes;
    if (open != null) {
      open.handleRequest(exchange);
      return;
    }
    // Dispatched first, so that Undertow leaves the exchange open when this returns and another
    // thread may take it up (Undertow's own RequestLimit does the same).
    exchange.dispatch(SameThreadExecutor.INSTANCE, () -> hold(exchange));
  }

  private void hold(HttpServerExchange exchange) {
    HttpHandler open;
    int waiting;
    synchronized (this) {
      open = routes;
      waiting = held.size();
      if (open == null && waiting < maxWaiting) {
        held.add(exchange);
        return;
      }
    }
    if (open == null) {
      Refusal.send(
          exchange,
          HttpError.busy(
              "server starting: "
                  + waiting
                  + " requests already waiting (guards.maxWaitingAtStart "
                  + maxWaiting
                  + "); retry",
              1),
          drainBytes);
      return;
    }
    resume(exchange, open);
  }

  /**
   * From now on every request goes to {@code next}; the held ones first, each on its I/O thread.
   */
  void open(HttpHandler next) {
    List<HttpServerExchange> waiting;
    synchronized (this) {
      routes = next;
      waiting = List.copyOf(held);
      held.clear();
    }
    for (HttpServerExchange exchange : waiting) {
      resume(exchange, next);
    }
  }

  private static void resume(HttpServerExchange exchange, HttpHandler next) {
    // Run by the connection's I/O thread, where a request that has just come is handled.
    exchange.dispatch(exchange.getIoThread(), next);
  }
}
