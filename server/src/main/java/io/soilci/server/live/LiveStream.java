package io.soilci.server.live;

import io.undertow.server.handlers.sse.ServerSentEventConnection;
import java.io.IOException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.xnio.IoUtils;

/**
 * One open event stream: the tasks whose logs it follows, each from a byte offset, and the page it
 * watches. Its events, in order: {@code log} (new whole lines; the event's id is every followed
 * task's offset, so a reconnect with {@code Last-Event-ID} resumes exactly), {@code end} (the task
 * ended: its status), {@code page} (the page was written). A stream that follows only tasks closes
 * once they all ended. A client that falls {@value #MAX_PENDING} events behind is cut off.
 */
final class LiveStream {
  static final int MAX_PENDING = 64;

  private final LiveStreams streams;
  private final ServerSentEventConnection connection;
  private final List<TaskKey> tails;
  private final long[] offsets;
  private final boolean[] ended;
  private final @Nullable String page;
  private final boolean html;
  private final AtomicInteger pending = new AtomicInteger();
  private final ServerSentEventConnection.EventCallback counted =
      new ServerSentEventConnection.EventCallback() {
        @Override
        public void done(ServerSentEventConnection c, String data, String event, String id) {
          pending.decrementAndGet();
        }

        @Override
        public void failed(
            ServerSentEventConnection c, String data, String event, String id, IOException e) {
          pending.decrementAndGet();
        }
      };

  private final ServerSentEventConnection.EventCallback closing =
      new ServerSentEventConnection.EventCallback() {
        @Override
        public void done(ServerSentEventConnection c, String data, String event, String id) {
          pending.decrementAndGet();
          c.shutdown();
        }

        @Override
        public void failed(
            ServerSentEventConnection c, String data, String event, String id, IOException e) {
          pending.decrementAndGet();
          IoUtils.safeClose(c);
        }
      };

  LiveStream(LiveStreams streams, ServerSentEventConnection connection, LiveEventsRequest request) {
    this.streams = streams;
    this.connection = connection;
    this.tails = request.tails();
    this.offsets = request.offsets().clone();
    this.ended = new boolean[tails.size()];
    this.page = request.page().orElse(null);
    this.html = request.html();
  }

  List<TaskKey> tails() {
    return tails;
  }

  Optional<String> page() {
    return Optional.ofNullable(page);
  }

  /** Sends what each task has past its offset, or its end if it ended already. */
  synchronized void start() {
    for (int i = 0; i < tails.size(); i++) {
      OptionalInt status = streams.logs().endedStatus(tails.get(i));
      if (status.isPresent()) {
        end(i, status.getAsInt());
      } else {
        pump(i, false);
      }
    }
  }

  synchronized void pump(TaskKey key) {
    int i = tails.indexOf(key);
    if (i >= 0 && !ended[i]) {
      pump(i, false);
    }
  }

  synchronized void end(TaskKey key, int status) {
    int i = tails.indexOf(key);
    if (i >= 0) {
      end(i, status);
    }
  }

  synchronized void pageChanged(String path) {
    send(LiveStreams.json(Map.of("page", path)), "page", null);
  }

  private void pump(int i, boolean partial) {
    TaskKey key = tails.get(i);
    Optional<LiveLines> lines = streams.logs().lines(key, offsets[i], partial);
    if (lines.isEmpty() || lines.get().isEmpty()) {
      return;
    }
    offsets[i] = lines.get().end();
    send(streams.logData(key, lines.get(), html), "log", id());
  }

  private void end(int i, int status) {
    if (ended[i]) {
      return;
    }
    pump(i, true);
    ended[i] = true;
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("tail", tails.get(i).toString());
    data.put("status", status);
    boolean allEnded = true;
    for (boolean e : ended) {
      allEnded &= e;
    }
    // A stream of tasks that are all over has nothing more to say: closed once this is out.
    send(LiveStreams.json(data), "end", null, allEnded && page == null ? closing : counted);
  }

  /** Every followed task's offset, in the order of the request's {@code tail}s. */
  private String id() {
    return Arrays.stream(offsets).mapToObj(Long::toString).collect(Collectors.joining(","));
  }

  private void send(String data, String event, @Nullable String id) {
    send(data, event, id, counted);
  }

  private void send(
      String data,
      String event,
      @Nullable String id,
      ServerSentEventConnection.EventCallback callback) {
    if (pending.incrementAndGet() > MAX_PENDING) {
      IoUtils.safeClose(connection);
      return;
    }
    connection.send(data, event, id, callback);
  }
}
