package io.soilci.server.auth;

import io.soilci.server.http.HttpError;
import io.soilci.server.http.PacedBody;
import io.soilci.server.http.Refusal;
import io.soilci.threads.Daemons;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.AttachmentKey;
import io.undertow.util.Headers;
import io.undertow.util.Methods;
import io.undertow.util.SameThreadExecutor;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * In front of every write route: refuses a browser's request and bad credentials before a byte of
 * the body is read, and never parks a worker thread on the client (the answer is written
 * non-blocking, the connection then closed). Credentials not cached are verified on a small pool of
 * their own, so wrong secrets cannot take the threads that serve pages and uploads.
 */
public final class CredentialGate implements HttpHandler {
  /** Headers every browser adds to a POST, and no worker, curl or script sends. */
  static final List<String> BROWSER_HEADERS = List.of("Origin", "Sec-Fetch-Site", "Sec-Fetch-Mode");

  private static final AttachmentKey<Worker> WORKER = AttachmentKey.create(Worker.class);

  private final Authenticator auth;
  private final HttpHandler next;
  private final ThreadPoolExecutor verifier;
  private final long drainBytes;

  /**
   * Admitted requests go on to {@code next} (on a worker thread, or the IO thread if cached), their
   * bodies read at least {@code minBytesPerSecond} over each {@code windowSeconds}; a refused
   * request's body is dropped up to {@code drainBytes} ({@link Refusal}).
   */
  public CredentialGate(
      Authenticator auth,
      HttpHandler next,
      long minBytesPerSecond,
      long windowSeconds,
      long drainBytes) {
    this.auth = auth;
    this.drainBytes = drainBytes;
    this.next =
        exchange -> {
          PacedBody.apply(exchange, minBytesPerSecond, windowSeconds);
          next.handleRequest(exchange);
        };
    ThreadPoolExecutor pool =
        new ThreadPoolExecutor(
            Authenticator.PARALLEL_KDF,
            Authenticator.PARALLEL_KDF,
            1,
            TimeUnit.MINUTES,
            new ArrayBlockingQueue<>(256),
            Daemons.named("soil-credentials"));
    // Idle threads end, so a stopped server (and every test's) leaves none behind.
    pool.allowCoreThreadTimeOut(true);
    this.verifier = pool;
  }

  /** The worker whose token admitted {@code exchange}; empty for a request the gate let by. */
  public static Optional<Worker> worker(HttpServerExchange exchange) {
    return Optional.ofNullable(exchange.getAttachment(WORKER));
  }

  /** The name of {@link #worker}, or {@code -}. */
  public static String workerName(HttpServerExchange exchange) {
    return worker(exchange).map(Worker::name).orElse("-");
  }

  @Override
  public void handleRequest(HttpServerExchange exchange) throws Exception {
    if (!exchange.getRequestMethod().equals(Methods.POST)) {
      next.handleRequest(exchange);
      return;
    }
    String header = exchange.getRequestHeaders().getFirst(Headers.AUTHORIZATION);
    try {
      refuseBrowser(exchange);
      Optional<Worker> cached = auth.cached(Authenticator.require(header));
      if (cached.isPresent()) {
        exchange.putAttachment(WORKER, cached.get());
        next.handleRequest(exchange);
        return;
      }
    } catch (HttpError e) {
      Refusal.send(exchange, e, drainBytes);
      return;
    }
    String address = clientAddress(exchange);
    exchange.dispatch(
        SameThreadExecutor.INSTANCE,
        () -> {
          try {
            verifier.execute(() -> verify(exchange, header, address));
          } catch (RejectedExecutionException e) {
            Refusal.send(
                exchange,
                HttpError.busy("too many credential checks at once; retry in 5 seconds", 5),
                drainBytes);
          }
        });
  }

  private void verify(HttpServerExchange exchange, String header, String address) {
    try {
      exchange.putAttachment(WORKER, auth.authenticate(header, address));
    } catch (HttpError e) {
      exchange.dispatch(exchange.getIoThread(), () -> Refusal.send(exchange, e, drainBytes));
      return;
    } catch (java.io.IOException e) {
      exchange.dispatch(
          exchange.getIoThread(),
          () ->
              Refusal.send(
                  exchange,
                  HttpError.busy("the worker store could not be read; retry in 5 seconds", 5),
                  drainBytes));
      return;
    }
    exchange.dispatch(next);
  }

  /** Writes are for workers and scripts: a browser's request could carry a viewer's login. */
  private static void refuseBrowser(HttpServerExchange exchange) {
    for (String name : BROWSER_HEADERS) {
      if (exchange.getRequestHeaders().contains(name)) {
        throw HttpError.forbidden(
            "writes are not accepted from a web browser (the request has a '"
                + name
                + "' header): a page must not publish with a viewer's credentials; publish with"
                + " soil-worker or curl");
      }
    }
  }

  /**
   * The peer's address; behind a proxy on the same host (a loopback peer), the last address of
   * {@code X-Forwarded-For}, which that proxy appended.
   */
  public static String clientAddress(HttpServerExchange exchange) {
    InetSocketAddress peer = exchange.getSourceAddress();
    InetAddress ip = peer == null ? null : peer.getAddress();
    String forwarded = exchange.getRequestHeaders().getLast("X-Forwarded-For");
    if (ip != null && ip.isLoopbackAddress() && forwarded != null && !forwarded.isBlank()) {
      String[] hops = forwarded.split(",", -1);
      return hops[hops.length - 1].trim();
    }
    return ip == null ? "-" : ip.getHostAddress();
  }
}
