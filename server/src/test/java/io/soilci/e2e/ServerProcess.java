package io.soilci.e2e;

import io.soilci.server.testing.TestProcesses;
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

  private final Path dir;
  private final String config;

  ServerProcess(Path dir) throws IOException, InterruptedException {
    this(dir, "");
  }

  /**
   * A server whose config file holds {@code config}: JSON members beside {@code site}, e.g. {@code
   * "hooks": {...}}; empty for none.
   */
  ServerProcess(Path dir, String config) throws IOException, InterruptedException {
    this(dir, config, addWorker(dir));
  }

  private ServerProcess(Path dir, String config, String token)
      throws IOException, InterruptedException {
    this.dir = dir;
    this.config = config;
    this.token = token;
    site = Files.createDirectories(dir.resolve("site"));
    state = Files.createDirectories(dir.resolve("state"));
    Path configFile =
        Files.writeString(
            dir.resolve("config.json"),
            "{\"site\": \"site\"" + (config.isEmpty() ? "" : ", " + config) + "}\n");
    port = freePort();
    log = dir.resolve("server.log");
    process =
        TestProcesses.track(
            new ProcessBuilder(
                    "java",
                    "-jar",
                    Repo.SERVER_JAR.toString(),
                    "serve",
                    "--config",
                    configFile.toString(),
                    "--state",
                    state.toString(),
                    "--listen",
                    "127.0.0.1:" + port)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start());
    awaitPort(port, process, log);
  }

  /** SIGKILL: no shutdown hook, no flush; then starts it again on the same folders and config. */
  ServerProcess killedAndRestarted() throws IOException, InterruptedException {
    process.destroyForcibly();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      throw new IllegalStateException("soil-server survived SIGKILL for 30 s");
    }
    return new ServerProcess(dir, config, token);
  }

  /** Stops this server and starts it again on the same site, state and config (a new port). */
  ServerProcess restarted() throws IOException, InterruptedException {
    close();
    return new ServerProcess(dir, config, token);
  }

  private static String addWorker(Path dir) throws IOException, InterruptedException {
    return addWorker(dir, "e2e", "github-jobs,sourcehut-jobs,status-api");
  }

  /** A token for another worker {@code name} with {@code scopes}, e.g. an agent's. */
  String addWorker(String name, String scopes) throws IOException, InterruptedException {
    return addWorker(dir, name, scopes);
  }

  private static String addWorker(Path dir, String name, String scopes)
      throws IOException, InterruptedException {
    Path site = Files.createDirectories(dir.resolve("site"));
    Path state = Files.createDirectories(dir.resolve("state"));
    Processes.Result added =
        Processes.java(
            dir,
            Map.of(),
            Repo.SERVER_JAR,
            "add-worker",
            name,
            "--site",
            site.toString(),
            "--state",
            state.toString(),
            "--scopes",
            scopes);
    if (added.exit() != 0) {
      throw new IllegalStateException("add-worker failed: " + added.output());
    }
    return added.output().lines().filter(l -> l.startsWith(name + ":")).findFirst().orElseThrow();
  }

  URI uri() {
    return URI.create("http://127.0.0.1:" + port + "/");
  }

  /**
   * A page of the site read through the server ({@code github-jobs/41/index.html}): an event's
   * pages are written after its answer, and a read through the server waits for them, while the
   * file may still be the version before.
   */
  String page(String path) throws IOException, InterruptedException {
    return new Http().get(uri().resolve(path)).body();
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
