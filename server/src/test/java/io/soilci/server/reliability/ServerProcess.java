package io.soilci.server.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.soilci.server.testing.TestProcesses;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The real shaded jar ({@code server/target/soil-server.jar}) run as a child process, so that
 * {@link #kill} is a real SIGKILL: no shutdown hook, no flush, no finally.
 */
final class ServerProcess implements AutoCloseable {
  static final Path JAR = Path.of("target", "soil-server.jar");

  private final Process process;
  final int port;

  private ServerProcess(Process process, int port) {
    this.process = process;
    this.port = port;
  }

  /** {@code java [jvmArgs] -jar soil-server.jar COMMAND ARGS…}, waiting at most 2 minutes. */
  static int run(Path log, List<String> jvmArgs, String... commandAndArgs)
      throws IOException, InterruptedException {
    Process p = TestProcesses.track(builder(log, jvmArgs, commandAndArgs).start());
    if (!p.waitFor(2, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new IllegalStateException("soil-server " + commandAndArgs[0] + " took over 2 min");
    }
    return p.exitValue();
  }

  private static ProcessBuilder builder(Path log, List<String> jvmArgs, String... args) {
    return builder(log, jvmArgs, Map.of(), args);
  }

  private static ProcessBuilder builder(
      Path log, List<String> jvmArgs, Map<String, String> environment, String... args) {
    assertThat(JAR).as("the shaded jar; run 'mvn -pl server -am package' first").isRegularFile();
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmArgs);
    command.add("-jar");
    command.add(JAR.toString());
    command.addAll(List.of(args));
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    builder.environment().putAll(environment);
    return builder;
  }

  /** Starts {@code serve} on a free loopback port and waits (≤ 60 s) until healthz answers. */
  static ServerProcess serve(Path log, List<String> jvmArgs, List<String> serveArgs)
      throws IOException, InterruptedException {
    int port = freePort();
    List<String> args = new ArrayList<>(List.of("serve", "--listen", "127.0.0.1:" + port));
    args.addAll(serveArgs);
    Process process =
        TestProcesses.track(builder(log, jvmArgs, args.toArray(String[]::new)).start());
    ServerProcess server = new ServerProcess(process, port);
    server.awaitHealthy();
    return server;
  }

  /**
   * Starts {@code serve} on {@code port} (again, after a {@link #kill}) with {@code environment}
   * added to its own, and waits (≤ 60 s) until healthz answers.
   */
  static ServerProcess serve(
      Path log,
      List<String> jvmArgs,
      List<String> serveArgs,
      int port,
      Map<String, String> environment)
      throws IOException, InterruptedException {
    List<String> args = new ArrayList<>(List.of("serve", "--listen", "127.0.0.1:" + port));
    args.addAll(serveArgs);
    Process process =
        TestProcesses.track(
            builder(log, jvmArgs, environment, args.toArray(String[]::new)).start());
    ServerProcess server = new ServerProcess(process, port);
    server.awaitHealthy();
    return server;
  }

  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  private void awaitHealthy() throws InterruptedException {
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    for (int i = 0; i < 600; i++) {
      if (!process.isAlive()) {
        throw new IllegalStateException("soil-server exited with " + process.exitValue());
      }
      try {
        HttpResponse<String> r =
            client.send(
                HttpRequest.newBuilder(uri("/healthz")).timeout(Duration.ofSeconds(1)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // Not listening yet.
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException("soil-server did not answer /healthz within 60 s");
  }

  URI uri(String pathAndQuery) {
    return URI.create("http://127.0.0.1:" + port + pathAndQuery);
  }

  long pid() {
    return process.pid();
  }

  /** SIGKILL (on Linux {@code destroyForcibly} sends signal 9), then wait for the exit. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      throw new IllegalStateException("soil-server survived SIGKILL for 30 s");
    }
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      process.destroy();
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        kill();
      }
    }
  }

  /** The resident set of the process now, in KiB, from {@code /proc/PID/status}. */
  long rssKiB() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid()), "status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    return -1;
  }
}
