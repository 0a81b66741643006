package io.soilci.server.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * A real {@code nats-server} with JetStream ({@code nats-server -js -sd STORE -a 127.0.0.1 -p
 * PORT}) run as a separate process, so that {@link #kill} is a real SIGKILL and {@link #start}
 * again resumes on the same port and store. Debian's package; {@code soil-scripts/test-env.sh}
 * installs it.
 */
public final class NatsProcess implements AutoCloseable {
  private static final long START_MILLIS = 30_000;

  private final Path store;
  private final Path log;
  private final int port;
  private @Nullable Process process;

  private NatsProcess(Path dir, int port) throws IOException {
    this.store = Files.createDirectories(dir.resolve("jetstream"));
    this.log = dir.resolve("nats-server.log");
    this.port = port;
  }

  /** Starts a server on a free loopback port with its store under {@code dir}. */
  public static NatsProcess start(Path dir) throws IOException, InterruptedException {
    NatsProcess nats = new NatsProcess(dir, freePort());
    nats.start();
    return nats;
  }

  /** Starts it (again, after {@link #kill}) on the same port and store; waits until it accepts. */
  public synchronized void start() throws IOException, InterruptedException {
    if (process != null && process.isAlive()) {
      throw new IllegalStateException("nats-server is already running on port " + port);
    }
    int readyBefore = readyLines();
    Process started =
        new ProcessBuilder(
                List.of(
                    "nats-server",
                    "-js",
                    "-sd",
                    store.toString(),
                    "-a",
                    "127.0.0.1",
                    "-p",
                    Integer.toString(port)))
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
    process = started;
    awaitReady(started, readyBefore);
  }

  /**
   * Waits until the server accepts connections and says JetStream is ready (its log line {@code
   * Server is ready}) after this start.
   */
  private void awaitReady(Process started, int readyBefore)
      throws IOException, InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(START_MILLIS);
    while (System.nanoTime() < deadline) {
      if (!started.isAlive()) {
        throw new IllegalStateException(
            "nats-server exited with " + started.exitValue() + "; its log: " + log);
      }
      if (readyLines() > readyBefore && accepts()) {
        return;
      }
      Thread.sleep(20);
    }
    throw new IllegalStateException(
        "nats-server did not accept on 127.0.0.1:" + port + " within 30 s; its log: " + log);
  }

  private int readyLines() throws IOException {
    if (!Files.exists(log)) {
      return 0;
    }
    String text = Files.readString(log, StandardCharsets.UTF_8);
    return text.split("Server is ready", -1).length - 1;
  }

  private boolean accepts() {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** {@code nats://127.0.0.1:PORT}. */
  public String url() {
    return "nats://127.0.0.1:" + port;
  }

  public int port() {
    return port;
  }

  /** SIGKILL, then waits for the exit. */
  public synchronized void kill() throws InterruptedException {
    Process p = process;
    if (p != null) {
      p.destroyForcibly();
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        throw new IllegalStateException("nats-server survived SIGKILL for 30 s");
      }
    }
  }

  @Override
  public synchronized void close() throws InterruptedException {
    Process p = process;
    if (p != null && p.isAlive()) {
      p.destroy();
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        kill();
      }
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
