package io.soilci.server.live;

import io.soilci.server.auth.CredentialGate;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.handlers.sse.ServerSentEventHandler;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;

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

  public LiveEventsHandler(LiveLogs logs) {
    this.streams = logs.streams();
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
            })
        .handleRequest(exchange);
  }
}
