package io.soilci.worker.publish;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;

/** The {@link SoilServer}s the live-event and live-log tests talk to. */
final class SoilServers {
  private SoilServers() {}

  /** A server at {@code base} with worker token {@code w:s}, its warnings dropped. */
  static SoilServer at(URI base) {
    return at(base, Writer.nullWriter());
  }

  /** A server at {@code base} with worker token {@code w:s}, its warnings to {@code warnings}. */
  static SoilServer at(URI base, Writer warnings) {
    return new SoilServer(
        base, new Token("w", "s"), Duration.ofSeconds(1), new PrintWriter(warnings));
  }

  /** A loopback address where nothing listens (a port that was free a moment ago). */
  static URI closedPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return URI.create("http://127.0.0.1:" + socket.getLocalPort() + "/");
    }
  }
}
