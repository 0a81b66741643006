package io.soilci.server.testing;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * A server-sent events client over a plain socket (HTTP/1.1, chunked or not): the status line and
 * headers, then each event as it arrives, and the end of the stream.
 */
public final class EventStream implements AutoCloseable {
  /** One event: its name ({@code message} when none), data and the last id seen. */
  public record Event(String name, String data, String id) {}

  /** What {@link #next} returns when the server closed the stream. */
  public static final Event CLOSED = new Event("closed", "", "");

  public final int status;
  public final Map<String, String> headers;
  public final String body;
  private final Socket socket;
  private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
  private final java.util.concurrent.atomic.AtomicInteger heartbeats =
      new java.util.concurrent.atomic.AtomicInteger();

  private EventStream(Socket socket, int status, Map<String, String> headers, String body) {
    this.socket = socket;
    this.status = status;
    this.headers = headers;
    this.body = body;
  }

  /** Opens {@code uri} with {@code extra} request headers (e.g. Last-Event-ID). */
  public static EventStream open(URI uri, Map<String, String> extra) throws IOException {
    Socket socket = new Socket(uri.getHost(), uri.getPort());
    socket.setSoTimeout(60_000);
    StringBuilder request =
        new StringBuilder("GET " + uri.getRawPath() + "?" + uri.getRawQuery() + " HTTP/1.1\r\n");
    request.append("Host: ").append(uri.getHost()).append("\r\nAccept: text/event-stream\r\n");
    extra.forEach((k, v) -> request.append(k).append(": ").append(v).append("\r\n"));
    OutputStream out = socket.getOutputStream();
    out.write(request.append("\r\n").toString().getBytes(StandardCharsets.UTF_8));
    out.flush();
    Bytes reader = new Bytes(new BufferedInputStream(socket.getInputStream()));
    String statusLine = java.util.Objects.requireNonNull(reader.readLine(), "no status line");
    int status = Integer.parseInt(statusLine.split(" ")[1]);
    Map<String, String> headers = new java.util.TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    for (String line = reader.readLine(); line != null && !line.isEmpty(); ) {
      int colon = line.indexOf(':');
      headers.put(line.substring(0, colon).trim(), line.substring(colon + 1).trim());
      line = reader.readLine();
    }
    boolean chunked = "chunked".equalsIgnoreCase(headers.get("Transfer-Encoding"));
    if (status != 200) {
      String body = readBody(reader, headers, chunked);
      socket.close();
      return new EventStream(socket, status, headers, body);
    }
    EventStream stream = new EventStream(socket, status, headers, "");
    Thread thread = new Thread(() -> stream.read(reader, chunked), "event-stream");
    thread.setDaemon(true);
    thread.start();
    return stream;
  }

  private static String readBody(Bytes reader, Map<String, String> headers, boolean chunked)
      throws IOException {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    if (chunked) {
      for (int size; (size = Integer.parseInt(reader.line().trim(), 16)) > 0; ) {
        body.write(reader.read(size));
        reader.readLine();
      }
    } else {
      body.write(reader.read(Integer.parseInt(headers.getOrDefault("Content-Length", "0"))));
    }
    return body.toString(StandardCharsets.UTF_8);
  }

  private void read(Bytes reader, boolean chunked) {
    try {
      StringBuilder data = new StringBuilder();
      String name = "message";
      String id = "";
      ByteArrayOutputStream pending = new ByteArrayOutputStream();
      while (true) {
        @Nullable String line;
        if (chunked) {
          line = chunkedLine(reader, pending);
        } else {
          line = reader.readLine();
        }
        if (line == null) {
          break;
        }
        if (line.isEmpty()) {
          if (data.length() > 0) {
            events.add(new Event(name, data.substring(0, data.length() - 1), id));
          }
          data.setLength(0);
          name = "message";
        } else if (line.startsWith("data:")) {
          data.append(line.substring(5).replaceFirst("^ ", "")).append('\n');
        } else if (line.startsWith("event:")) {
          name = line.substring(6).trim();
        } else if (line.startsWith("id:")) {
          id = line.substring(3).trim();
        } else if (line.startsWith(":")) {
          heartbeats.incrementAndGet();
        }
      }
    } catch (IOException e) {
      // closed
    }
    events.add(CLOSED);
  }

  /** The next line of a chunked body, joining lines cut across chunks; null at its end. */
  private static @Nullable String chunkedLine(Bytes reader, ByteArrayOutputStream pending)
      throws IOException {
    while (true) {
      byte[] held = pending.toByteArray();
      for (int i = 0; i < held.length; i++) {
        if (held[i] == '\n') {
          pending.reset();
          pending.write(held, i + 1, held.length - i - 1);
          return new String(held, 0, i, StandardCharsets.UTF_8);
        }
      }
      String sizeLine = reader.readLine();
      if (sizeLine == null || sizeLine.isBlank()) {
        return null;
      }
      int size = Integer.parseInt(sizeLine.trim(), 16);
      if (size == 0) {
        return null;
      }
      pending.write(reader.read(size));
      reader.readLine();
    }
  }

  /** The next event, {@link #CLOSED} at the stream's end; fails after {@code timeout}. */
  public Event next(Duration timeout) throws InterruptedException {
    Event event = events.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    if (event == null) {
      throw new AssertionError("no event within " + timeout);
    }
    return event;
  }

  /** Comment lines received so far. */
  public int heartbeats() {
    return heartbeats.get();
  }

  /** True if no event arrives within {@code wait}. */
  public boolean quietFor(Duration wait) throws InterruptedException {
    return events.poll(wait.toMillis(), TimeUnit.MILLISECONDS) == null;
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }

  /** Lines (CRLF or LF, UTF-8) and counted bytes from one stream. */
  private static final class Bytes {
    private final InputStream in;

    Bytes(InputStream in) {
      this.in = in;
    }

    @Nullable String readLine() throws IOException {
      ByteArrayOutputStream line = new ByteArrayOutputStream();
      for (int b = in.read(); b != '\n'; b = in.read()) {
        if (b < 0) {
          return line.size() == 0 ? null : line.toString(StandardCharsets.UTF_8);
        }
        line.write(b);
      }
      String text = line.toString(StandardCharsets.UTF_8);
      return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
    }

    String line() throws IOException {
      String line = readLine();
      if (line == null) {
        throw new IOException("the stream ended before a line");
      }
      return line;
    }

    byte[] read(int n) throws IOException {
      byte[] bytes = in.readNBytes(n);
      if (bytes.length < n) {
        throw new IOException("the stream ended within a chunk");
      }
      return bytes;
    }
  }
}
