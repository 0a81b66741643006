package io.soilci.e2e;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A real soil-server, started from its jar on a free loopback port, with one worker token. */
final class ServerProcess implements AutoCloseable {
  final Path site;
  final Path state;
  final int port;
  final String token;
  private final Process process;
  private final Path log;

  ServerProcess(Path dir) throws IOException, InterruptedException {
    site = Files.createDirectories(dir.resolve("site"));
    state = Files.createDirectories(dir.resolve("state"));
    Processes.Result added =
        Processes.java(
            dir,
            Map.of(),
            Repo.SERVER_JAR,
            "add-worker",
            "e2e",
            "--site",
            site.toString(),
            "--state",
            state.toString(),
            "--scopes",
            "github-jobs,sourcehut-jobs,status-api");
    if (added.exit() != 0) {
      throw new IllegalStateException("add-worker failed: " + added.output());
    }
    token = added.output().lines().filter(l -> l.startsWith("e2e:")).findFirst().orElseThrow();
    port = freePort();
    log = dir.resolve("server.log");
    process =
        new ProcessBuilder(
                "java",
                "-jar",
                Repo.SERVER_JAR.toString(),
                "serve",
                "--site",
                site.toString(),
                "--state",
                state.toString(),
                "--listen",
                "127.0.0.1:" + port)
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    awaitPort(port, process, log);
  }

  URI uri() {
    return URI.create("http://127.0.0.1:" + port + "/");
  }

  String log() throws IOException {
    return Files.readString(log);
  }

  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  static void awaitPort(int port, Process process, Path log)
      throws IOException, InterruptedException {
    for (int i = 0; i < 300; i++) {
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
        return;
      } catch (IOException e) {
        if (!process.isAlive()) {
          break;
        }
        Thread.sleep(100);
      }
    }
    throw new IllegalStateException("nothing listens on " + port + ":\n" + Files.readString(log));
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(20, TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
  }
}
