package io.soilci.server.http;

import io.soilci.result.Printable;
import io.soilci.threads.Daemons;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.AttachmentKey;
import io.undertow.util.Headers;
import io.undertow.util.Methods;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The outermost handler: on completion of every request, one access-log line and one count in
 * {@link Metrics} under the request's route.
 *
 * <p>The line is built without a format string and handed to a thread of its own, which writes
 * whatever lines are waiting to stderr in one write, in slf4j-simple's shape ({@code [access-log]
 * INFO access - LINE}); the logger {@code access} still decides whether lines are written at all.
 * At most {@value #QUEUED} lines wait: past that a request writes its own line, so a slow stderr
 * slows requests instead of growing the memory or losing lines.
 */
public final class AccessLog implements HttpHandler, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger("access");
  private static final AttachmentKey<String> ROUTE = AttachmentKey.create(String.class);
  private static final int QUEUED = 16_384;
  private static final String PREFIX = "[access-log] INFO access - ";

  private final HttpHandler next;
  private final Metrics metrics;
  private final boolean enabled = LOG.isInfoEnabled();
  private final BlockingQueue<String> lines = new ArrayBlockingQueue<>(QUEUED);
  private final Thread writer = Daemons.of("access-log", this::writeLines);
  private volatile boolean closed;

  public AccessLog(HttpHandler next, Metrics metrics) {
    this.next = next;
    this.metrics = metrics;
    if (enabled) {
      writer.start();
    }
  }

  /** Names the route that answers the request, e.g. {@code /results} or {@code wwz}. */
  public static HttpHandler route(String name, HttpHandler handler) {
    return exchange -> {
      exchange.putAttachment(ROUTE, name);
      handler.handleRequest(exchange);
    };
  }

  @Override
  public void handleRequest(HttpServerExchange exchange) throws Exception {
    long start = System.nanoTime();
    exchange.addExchangeCompleteListener(
        (done, nextListener) -> {
          try {
            log(done, start);
          } finally {
            nextListener.proceed();
          }
        });
    next.handleRequest(exchange);
  }

  private void log(HttpServerExchange exchange, long start) {
    String route = exchange.getAttachment(ROUTE);
    int status = exchange.getStatusCode();
    metrics.request(
        route == null ? "other" : route, exchange.getRequestMethod().equals(Methods.POST), status);
    if (enabled) {
      String line = line(exchange, status, start);
      if (closed || !lines.offer(line)) {
        write(List.of(line));
      }
    }
  }

  /** {@code ADDRESS METHOD URI STATUS BYTES MILLISms "USER-AGENT"}. */
  static String line(HttpServerExchange exchange, int status, long start) {
    String agent = exchange.getRequestHeaders().getFirst(Headers.USER_AGENT);
    InetSocketAddress source = exchange.getSourceAddress();
    return (source == null ? "-" : source.getAddress().getHostAddress())
        + " "
        + exchange.getRequestMethod()
        + " "
        + exchange.getRequestURI()
        + " "
        + status
        + " "
        + exchange.getResponseBytesSent()
        + " "
        + (System.nanoTime() - start) / 1_000_000
        + "ms \""
        + (agent == null ? "-" : Printable.of(agent))
        + "\"";
  }

  private void writeLines() {
    List<String> batch = new ArrayList<>();
    while (!closed || !lines.isEmpty()) {
      try {
        String first = lines.poll(100, TimeUnit.MILLISECONDS);
        if (first != null) {
          batch.add(first);
          lines.drainTo(batch, 1023);
          write(batch);
          batch.clear();
        }
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  /** Writes {@code batch} to stderr in one write, whole lines only. */
  private static void write(List<String> batch) {
    StringBuilder out = new StringBuilder(batch.size() * (PREFIX.length() + 100));
    for (String line : batch) {
      out.append(PREFIX).append(line).append('\n');
    }
    PrintStream err = System.err;
    err.print(out);
    err.flush();
  }

  /**
   * Writes the lines still waiting, once no request is answered any more; a line of a later request
   * is written by that request.
   */
  @Override
  public void close() {
    closed = true;
    try {
      writer.join(TimeUnit.SECONDS.toMillis(5));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    List<String> left = new ArrayList<>();
    lines.drainTo(left);
    if (!left.isEmpty()) {
      write(left);
    }
  }
}
