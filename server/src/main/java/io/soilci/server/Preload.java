package io.soilci.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.soilci.threads.Daemons;
import io.undertow.Undertow;
import java.io.IOException;
import java.nio.channels.ServerSocketChannel;
import org.xnio.Xnio;

/**
 * What every {@code serve} initializes before it listens and that takes a start the longest to
 * load, initialized on a second core while the main thread reads the command line and opens the
 * site: the NIO server socket classes (their first use took the listen check 20-70 ms), Jackson's
 * {@link ObjectMapper} and XNIO, whose first use starts the platform MBean server. Only earlier,
 * never different: the JVM runs a class's initializer once, and a thread that needs it meanwhile
 * waits for it (docs/BENCHMARKS.md, "Server: start-up").
 */
final class Preload {
  private Preload() {}

  /** Starts the daemon thread that initializes them; a failure is left for the real use to see. */
  static void start() {
    Daemons.start(
        "soil-preload",
        () -> {
          // Before XNIO's first use, which logs its version (LibraryLogs).
          LibraryLogs.quiet();
          try {
            // First: the main thread's listen check (SoilServer.requireCanListen) comes soon.
            ServerSocketChannel.open().close();
            var unused = new ObjectMapper();
            Xnio.getInstance(Undertow.class.getClassLoader());
          } catch (IOException | RuntimeException | LinkageError e) {
            // The same code on the main thread throws it where it counts.
          }
        });
  }
}
