package io.soilci.server.reliability;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * HTTP/1.1 written byte for byte on a socket, so a test can send what no well-behaved client would:
 * raw {@code ..} in paths, invalid UTF-8, oversize headers, bodies streamed from a generator while
 * the answer is read.
 */
final class Wire {
  private static final int TIMEOUT_MILLIS = 30_000;

  /** Writes a request body into the socket; stops when the server stops reading. */
  interface Body {
    void writeTo(OutputStream out) throws IOException;
  }

  /** An answer: its status ({@code -1} if the server closed without one), headers, body. */
  record Answer(int status, Map<String, String> headers, String body) {
    String header(String name) {
      return headers.getOrDefault(name.toLowerCase(Locale.ROOT), "");
    }
  }

  private Wire() {}

  /** Sends {@code head} (request line and headers, without the blank line) then {@code body}. */
  static Answer exchange(int port, String head, @Nullable Body body) throws IOException {
    return exchange(port, head.getBytes(StandardCharsets.ISO_8859_1), body);
  }

  static Answer exchange(int port, byte[] head, @Nullable Body body) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(TIMEOUT_MILLIS);
      OutputStream out = socket.getOutputStream();
      try {
        out.write(head);
        out.write("Connection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
      } catch (IOException e) {
        // The server refused the head before reading it all; its answer may still be there.
        return parse(readAll(socket.getInputStream()));
      }
      Thread writer = null;
      if (body != null) {
        writer = new Thread(() -> writeQuietly(body, out), "wire-body");
        writer.setDaemon(true);
        writer.start();
      }
      byte[] answer = readAll(socket.getInputStream());
      if (writer != null) {
        socket.close();
        join(writer);
      }
      return parse(answer);
    }
  }

  private static void writeQuietly(Body body, OutputStream out) {
    try {
      body.writeTo(out);
      out.flush();
    } catch (IOException e) {
      // The server answered and closed: it stopped reading, which is what a limit does.
    }
  }

  private static void join(Thread writer) {
    try {
      writer.join(TIMEOUT_MILLIS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Everything until the server closes, or until a complete answer with a known length. */
  private static byte[] readAll(InputStream in) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    byte[] buffer = new byte[8192];
    try {
      for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
        bytes.write(buffer, 0, n);
        if (complete(bytes.toByteArray())) {
          break;
        }
      }
    } catch (SocketTimeoutException | java.net.SocketException e) {
      // A reset after the answer, or silence: what arrived is the answer.
    }
    return bytes.toByteArray();
  }

  private static boolean complete(byte[] bytes) {
    String text = new String(bytes, StandardCharsets.ISO_8859_1);
    int end = text.indexOf("\r\n\r\n");
    if (end < 0) {
      return false;
    }
    Map<String, String> headers = headers(text.substring(0, end));
    String length = headers.get("content-length");
    return length != null && bytes.length - end - 4 >= Long.parseLong(length.trim());
  }

  private static Answer parse(byte[] bytes) {
    String text = new String(bytes, StandardCharsets.ISO_8859_1);
    int end = text.indexOf("\r\n\r\n");
    if (!text.startsWith("HTTP/1.1 ") || end < 0) {
      return new Answer(-1, Map.of(), text);
    }
    int status = Integer.parseInt(text.substring(9, 12));
    Map<String, String> headers = headers(text.substring(0, end));
    byte[] body = java.util.Arrays.copyOfRange(bytes, end + 4, bytes.length);
    if (headers.getOrDefault("transfer-encoding", "").equalsIgnoreCase("chunked")) {
      body = dechunk(body);
    }
    return new Answer(status, headers, new String(body, StandardCharsets.UTF_8));
  }

  private static Map<String, String> headers(String head) {
    Map<String, String> headers = new TreeMap<>();
    String[] lines = head.split("\r\n");
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      if (colon > 0) {
        headers.put(
            lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
            lines[i].substring(colon + 1).trim());
      }
    }
    return headers;
  }

  private static byte[] dechunk(byte[] body) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int at = 0;
    String text = new String(body, StandardCharsets.ISO_8859_1);
    while (at < body.length) {
      int eol = text.indexOf("\r\n", at);
      if (eol < 0) {
        break;
      }
      int size = Integer.parseInt(text.substring(at, eol).trim(), 16);
      if (size == 0) {
        break;
      }
      out.write(body, eol + 2, Math.min(size, body.length - eol - 2));
      at = eol + 2 + size + 2;
    }
    return out.toByteArray();
  }
}
