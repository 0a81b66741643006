package io.soilci.server.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/** A request written by hand on a socket: for bodies cut off or stalled mid-stream. */
public final class RawHttp implements AutoCloseable {
  private final Socket socket;

  public RawHttp(int port) throws IOException {
    socket = new Socket("127.0.0.1", port);
    socket.setSoTimeout(10_000);
  }

  /** Writes the request line and headers of a POST whose body will be {@code length} bytes. */
  public RawHttp postHeaders(String pathAndQuery, String authorization, String type, long length)
      throws IOException {
    String head =
        "POST "
            + pathAndQuery
            + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: "
            + authorization
            + "\r\nContent-Type: "
            + type
            + "\r\nContent-Length: "
            + length
            + "\r\n\r\n";
    return write(head.getBytes(StandardCharsets.US_ASCII));
  }

  public RawHttp write(byte[] bytes) throws IOException {
    socket.getOutputStream().write(bytes);
    socket.getOutputStream().flush();
    return this;
  }

  /** Closes the sending side: the server reads the end of the body here, the answer still comes. */
  public RawHttp endBody() throws IOException {
    socket.shutdownOutput();
    return this;
  }

  /** The status line and headers of the next response (e.g. an interim "100 Continue"). */
  public String head() throws IOException {
    StringBuilder out = new StringBuilder();
    InputStream in = socket.getInputStream();
    while (!out.toString().endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        break;
      }
      out.append((char) b);
    }
    return out.toString();
  }

  /** Everything the server sends until it closes or 10 s pass without a byte. */
  public String response() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    InputStream in = socket.getInputStream();
    byte[] buffer = new byte[8192];
    try {
      for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
        out.write(buffer, 0, n);
        if (out.toString(StandardCharsets.UTF_8).matches("(?s).*\r\n\r\n.*\n")) {
          break;
        }
      }
    } catch (SocketTimeoutException e) {
      // What arrived is the answer.
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
