package io.soilci.server.live;

import io.soilci.server.auth.CredentialGate;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.handlers.sse.ServerSentEventHandler;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code GET /live/events?tail=HOST-jobs/RUN/JOB/TASK@OFFSET&page=PATH&format=text|html}: a stream
 * of server-sent events of the tasks' new log lines and ends and the page's changes. Held by
 * Undertow's IO threads, not a worker thread; within the stream caps (503 past them), with a
 * heartbeat comment so proxies keep it open.
 */
public final class LiveEventsHandler implements HttpHandler {
  public static final String PATH = "/live/events";
  private static final HttpString LAST_EVENT_ID = new HttpString("Last-Event-ID");
  private static final HttpString NOSNIFF = new HttpString("X-Content-Type-Options");
  private static final HttpString ACCEL_BUFFERING = new HttpString("X-Accel-Buffering");

  private final LiveStreams streams;
  private final Path siteRoot;

  /** Streams of {@code logs}' tails and of changes to the pages under {@code siteRoot}. */
  public LiveEventsHandler(LiveLogs logs, Path siteRoot) {
    this.streams = logs.streams();
    this.siteRoot = siteRoot;
  }

  @Override
  public void handleRequest(HttpServerExchange exchange) throws Exception {
    LiveEventsRequest request =
        LiveEventsRequest.parse(
            exchange.getQueryParameters(), exchange.getRequestHeaders().getLast(LAST_EVENT_ID));
    String address = CredentialGate.clientAddress(exchange);
    streams.reserve(address);
    exchange.addExchangeCompleteListener(
        (done, next) -> {
          streams.release(address);
          next.proceed();
        });
    var headers = exchange.getResponseHeaders();
    headers.put(Headers.CACHE_CONTROL, "no-store");
    headers.put(NOSNIFF, "nosniff");
    // nginx passes each event on at once instead of buffering the answer.
    headers.put(ACCEL_BUFFERING, "no");
    long heartbeat = streams.limits().heartbeatSeconds() * 1000L;
    new ServerSentEventHandler(
            (connection, lastEventId) -> {
              LiveStream stream = new LiveStream(streams, connection, request);
              connection.addCloseTask(c -> streams.unregister(stream));
              connection.setKeepAliveTime(heartbeat);
              streams.register(stream);
              if (!connection.isOpen()) {
                streams.unregister(stream); // closed before it was registered
                return;
              }
              stream.start();
              if (changedSince(request)) {
                stream.pageChanged(request.page().orElseThrow());
              }
            })
        .handleRequest(exchange);
  }

  /**
   * Whether the page the client shows may have changed before its stream was registered (between
   * the client's fetch and now): its file is no older than the second of the {@code seen}
   * Last-Modified. Asked after registering, so a later change is heard as an event.
   */
  private boolean changedSince(LiveEventsRequest request) {
    if (request.page().isEmpty() || request.seen().isEmpty()) {
      return false;
    }
    try {
      long modified =
          Files.getLastModifiedTime(siteRoot.resolve(request.page().get())).toMillis() / 1000;
      return modified >= request.seen().getAsLong() / 1000;
    } catch (IOException e) {
      return false; // no such page (yet): its first write is heard as an event
    }
  }
}
