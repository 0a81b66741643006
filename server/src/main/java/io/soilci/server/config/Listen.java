package io.soilci.server.config;

import io.soilci.result.BadInput;

/** Where the server listens: {@code HOST:PORT}; port 0 picks a free one. */
public record Listen(String host, int port) {
  public static final Listen DEFAULT = new Listen("127.0.0.1", 8080);

  public Listen {
    if (host.isEmpty() || port < 0 || port > 65535) {
      throw new IllegalArgumentException("bad listen address " + host + ":" + port);
    }
  }

  /** Parses {@code HOST:PORT} (IPv6 as {@code [::1]:PORT}). */
  public static Listen parse(String what, String text) {
    int colon = text.lastIndexOf(':');
    String host = colon > 0 ? text.substring(0, colon) : "";
    String port = colon > 0 ? text.substring(colon + 1) : "";
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    if (host.isEmpty() || !port.matches("[0-9]{1,5}") || Integer.parseInt(port) > 65535) {
      throw new BadInput(
          what + " '" + text + "' must be HOST:PORT, e.g. 127.0.0.1:8080 (port 0-65535)");
    }
    return new Listen(host, Integer.parseInt(port));
  }

  @Override
  public String toString() {
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }
}
