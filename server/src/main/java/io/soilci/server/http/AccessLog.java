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
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The outermost handler: on completion of every request, one access-log line and one count in
 * {@link Metrics} under the request's route.
 *
 * <p>The line is built without a format string and queued for a thread of its own, which writes
 * whatever lines are waiting to stderr in one write, in slf4j-simple's shape ({@code [access-log]
 * INFO access - LINE}); the logger {@code access} still decides whether lines are written at all. A
 * request does not wake that thread while it is busy: after each write it pauses {@value
 * #PAUSE_MILLIS} ms and takes what came meanwhile, so under load a request costs no wake-up and one
 * write carries hundreds of lines (a wake-up per request was about a fifth of the server's CPU on a
 * small page); only the first line after it found nothing wakes it, so a lone request is logged at
 * once. At most about {@value #QUEUED} lines wait: past that a request writes its own line, so a
 * slow stderr slows requests instead of growing the memory or losing lines.
 */
public final class AccessLog implements HttpHandler, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger("access");
  private static final AttachmentKey<String> ROUTE = AttachmentKey.create(String.class);
  private static final int QUEUED = 16_384;
  private static final int PAUSE_MILLIS = 10;
  private static final int MAX_BATCH = 4096;
  private static final String PREFIX = "[access-log] INFO access - ";

  private final HttpHandler next;
  private final Metrics metrics;
  private final boolean enabled = LOG.isInfoEnabled();
  private final Queue<String> lines = new ConcurrentLinkedQueue<>();
  private final AtomicInteger queued = new AtomicInteger();
  private final Thread writer = Daemons.of("access-log", this::writeLines);
  private final PrintStream out;
  private final long pauseNanos;

  /** The writer found nothing to write and sleeps until a request wakes it. */
  private volatile boolean idle;

  private volatile boolean closed;

  public AccessLog(HttpHandler next, Metrics metrics) {
    this(next, metrics, System.err, PAUSE_MILLIS);
  }

  /** Writes the lines to {@code out}, pausing {@code pauseMillis} after each write. */
  AccessLog(HttpHandler next, Metrics metrics, PrintStream out, long pauseMillis) {
    this.next = next;
    this.metrics = metrics;
    this.out = out;
    this.pauseNanos = TimeUnit.MILLISECONDS.toNanos(pauseMillis);
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
      if (closed || queued.get() >= QUEUED) {
        write(List.of(line));
      } else {
        queued.incrementAndGet();
        lines.add(line);
        if (idle) {
          idle = false;
          LockSupport.unpark(writer);
        }
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
    while (true) {
      boolean last = closed;
      for (String line = lines.poll(); line != null; line = lines.poll()) {
        batch.add(line);
        if (batch.size() == MAX_BATCH) {
          break;
        }
      }
      if (!batch.isEmpty()) {
        boolean full = batch.size() == MAX_BATCH;
        queued.addAndGet(-batch.size());
        write(batch);
        batch.clear();
        if (!full) {
          pause();
        }
      } else if (last) {
        return;
      } else {
        idle = true;
        // A line queued before idle was set woke nobody: look once more before sleeping.
        if (lines.isEmpty() && !closed) {
          LockSupport.park(this);
        }
        idle = false;
      }
    }
  }

  /** Lines that come meanwhile go out together in the next write; {@link #close} cuts it short. */
  private void pause() {
    long until = System.nanoTime() + pauseNanos;
    for (long left = pauseNanos; left > 0 && !closed; left = until - System.nanoTime()) {
      LockSupport.parkNanos(this, left);
    }
  }

  /** Writes {@code batch} in one write, whole lines only. */
  private void write(List<String> batch) {
    StringBuilder text = new StringBuilder(batch.size() * (PREFIX.length() + 100));
    for (String line : batch) {
      text.append(PREFIX).append(line).append('\n');
    }
    byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
    out.write(bytes, 0, bytes.length);
    out.flush();
  }

  /**
   * Writes the lines still waiting, once no request is answered any more; a line of a later request
   * is written by that request.
   */
  @Override
  public void close() {
    closed = true;
    LockSupport.unpark(writer);
    try {
      writer.join(TimeUnit.SECONDS.toMillis(5));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    List<String> left = new ArrayList<>();
    for (String line = lines.poll(); line != null; line = lines.poll()) {
      left.add(line);
    }
    if (!left.isEmpty()) {
      write(left);
    }
  }
}
