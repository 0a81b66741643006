package io.soilci.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.soilci.server.config.Guards;
import io.soilci.server.config.Listen;
import io.soilci.server.config.ServerConfig;
import io.soilci.server.testing.TestServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server listens while its index loads ({@link StartGate}): a request that comes then is held
 * unanswered until the index is whole, and is then answered from it. The load is held up here by a
 * named pipe in the index snapshot's place, which the test writes when it chooses.
 */
class StartGateTest {
  private static final String PAGE = "github-jobs/4101/index.html";

  @TempDir Path dir;

  /** A server whose start waits on its index snapshot, a named pipe, until {@link #load}. */
  private final class BlockedStart implements AutoCloseable {
    final Path site;
    final int port;
    private final Path snapshot;
    private final byte[] saved;
    private final CompletableFuture<SoilServer> started = new CompletableFuture<>();
    private boolean written;

    BlockedStart(UnaryOperator<Guards> guards) throws Exception {
      Path state;
      // A first start writes the index snapshot when it stops.
      try (TestServer first = TestServer.withFixtures(dir)) {
        site = first.site;
        state = first.state;
      }
      snapshot = state.resolve("index.snapshot");
      saved = Files.readAllBytes(snapshot);
      Files.delete(snapshot);
      Process mkfifo = new ProcessBuilder("mkfifo", snapshot.toString()).inheritIO().start();
      assertThat(mkfifo.waitFor()).isZero();
      try (ServerSocket free = new ServerSocket(0)) {
        port = free.getLocalPort();
      }
      ServerConfig config =
          ServerConfig.defaults(site)
              .withState(state)
              .withListen(new Listen("127.0.0.1", port))
              .withGuards(guards.apply(Guards.DEFAULTS));
      Thread starting =
          new Thread(
              () -> {
                try {
                  started.complete(SoilServer.start(config));
                } catch (Throwable e) {
                  started.completeExceptionally(e);
                }
              });
      starting.start();
    }

    boolean isStarted() {
      return started.isDone();
    }

    /** Lets the load go on: writes the snapshot's bytes into the pipe. */
    void load() throws IOException {
      Files.write(snapshot, saved);
      written = true;
    }

    @Override
    public void close() throws Exception {
      if (!written) {
        // Lets a start still waiting for the pipe go on (an empty snapshot: not used).
        Thread unblock =
            new Thread(
                () -> {
                  try {
                    Files.write(snapshot, new byte[0]);
                  } catch (IOException e) {
                    // The start ended without reading it.
                  }
                });
        unblock.setDaemon(true);
        unblock.start();
      }
      started.get(60, TimeUnit.SECONDS).close();
    }
  }

  @Test
  void aRequestThatComesWhileTheIndexLoadsIsAnsweredOnlyOnceItIsLoaded() throws Exception {
    try (BlockedStart start = new BlockedStart(g -> g);
        Socket healthz = connect(start.port);
        Socket page = connect(start.port)) {
      // Listening, while the load waits for the snapshot's bytes.
      ask(healthz, "/healthz");
      ask(page, "/" + PAGE);
      healthz.setSoTimeout(1000);
      page.setSoTimeout(1000);
      assertThatThrownBy(() -> healthz.getInputStream().read())
          .isInstanceOf(SocketTimeoutException.class);
      assertThatThrownBy(() -> page.getInputStream().read())
          .isInstanceOf(SocketTimeoutException.class);
      assertThat(start.isStarted()).isFalse();

      // The load goes on; then both are answered, from the whole index.
      start.load();
      healthz.setSoTimeout(60_000);
      page.setSoTimeout(60_000);
      assertThat(answer(healthz)).startsWith("HTTP/1.1 200 ");
      String answer = answer(page);
      assertThat(answer).startsWith("HTTP/1.1 200 ");
      assertThat(answer.substring(answer.indexOf("\r\n\r\n") + 4))
          .isEqualTo(Files.readString(start.site.resolve(PAGE)));
    }
  }

  @Test
  void aRequestBeyondTheHeldOnesIsRefusedAtOnceAndTheHeldOnesAreStillAnswered() throws Exception {
    try (BlockedStart start = new BlockedStart(g -> g.withMaxWaitingAtStart(2));
        Socket first = connect(start.port);
        Socket second = connect(start.port);
        Socket third = connect(start.port)) {
      ask(first, "/healthz");
      ask(second, "/" + PAGE);
      first.setSoTimeout(1000);
      assertThatThrownBy(() -> first.getInputStream().read())
          .isInstanceOf(SocketTimeoutException.class);
      // Both held now (the first waited a second): the third is one too many.
      ask(third, "/healthz");
      third.setSoTimeout(10_000);
      String refused = answer(third);
      assertThat(refused)
          .startsWith("HTTP/1.1 503 ")
          .contains("\r\nRetry-After: 1\r\n")
          .endsWith(
              "\r\n\r\nserver starting: 2 requests already waiting"
                  + " (guards.maxWaitingAtStart 2); retry\n");
      assertThat(start.isStarted()).isFalse();

      start.load();
      first.setSoTimeout(60_000);
      second.setSoTimeout(60_000);
      assertThat(answer(first)).startsWith("HTTP/1.1 200 ");
      assertThat(answer(second)).startsWith("HTTP/1.1 200 ");
    }
  }

  /** Connects as soon as the server listens (at most 60 s). */
  private static Socket connect(int port) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (true) {
      Socket socket = new Socket();
      try {
        socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
        return socket;
      } catch (ConnectException e) {
        socket.close();
        if (System.nanoTime() > deadline) {
          throw e;
        }
        Thread.sleep(20);
      }
    }
  }

  private static void ask(Socket socket, String path) throws IOException {
    socket
        .getOutputStream()
        .write(
            ("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
    socket.getOutputStream().flush();
  }

  /** The whole answer, up to the server's close. */
  private static String answer(Socket socket) throws IOException {
    InputStream in = socket.getInputStream();
    return new String(in.readAllBytes(), StandardCharsets.UTF_8);
  }
}
