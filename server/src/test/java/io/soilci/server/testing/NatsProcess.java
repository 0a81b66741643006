package io.soilci.server.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A real {@code nats-server} with JetStream ({@code nats-server -js -sd STORE -a 127.0.0.1 -p
 * PORT}) run as a separate process, so that {@link #kill} is a real SIGKILL and {@link #start}
 * again resumes on the same port and store. Debian's package; {@code soil-scripts/test-env.sh}
 * installs it.
 */
public final class NatsProcess extends ServiceProcess {
  private final Path store;
  private int readyBefore;

  private NatsProcess(Path dir, int port) throws IOException {
    super("nats-server", 30_000, dir.resolve("nats-server.log"), port);
    this.store = Files.createDirectories(dir.resolve("jetstream"));
  }

  /** Starts a server on a free loopback port with its store under {@code dir}. */
  public static NatsProcess start(Path dir) throws IOException, InterruptedException {
    NatsProcess nats = new NatsProcess(dir, freePort());
    nats.start();
    return nats;
  }

  @Override
  List<String> command() {
    return List.of(
        "nats-server",
        "-js",
        "-sd",
        store.toString(),
        "-a",
        "127.0.0.1",
        "-p",
        Integer.toString(port));
  }

  @Override
  void beforeStart() throws IOException {
    readyBefore = readyLines();
  }

  /**
   * Ready once the server accepts connections and says JetStream is ready (its log line {@code
   * Server is ready}) after this start.
   */
  @Override
  boolean ready() throws IOException {
    return readyLines() > readyBefore && accepts();
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
}
