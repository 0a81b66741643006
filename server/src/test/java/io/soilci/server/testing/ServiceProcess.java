package io.soilci.server.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * A real server run by a test as a separate process on one loopback port, its output appended to
 * one log file: {@link #kill} is a real SIGKILL, and {@link #start} again resumes on the same port
 * and data. Subclasses name the command and say when a start is ready.
 */
abstract class ServiceProcess implements AutoCloseable {
  private final String name;
  private final long startMillis;
  protected final Path log;
  protected final int port;
  private @Nullable Process process;

  ServiceProcess(String name, long startMillis, Path log, int port) {
    this.name = name;
    this.startMillis = startMillis;
    this.log = log;
    this.port = port;
  }

  /** The command line of one start. */
  abstract List<String> command();

  /** What the process's environment gets besides the test's. */
  void environment(Map<String, String> environment) {}

  /** Called before a start, to tell its readiness from an earlier start's. */
  void beforeStart() throws IOException {}

  /** Whether this start is ready to serve (it accepts, its log says so). */
  abstract boolean ready() throws IOException, InterruptedException;

  /** Starts it (again, after {@link #kill}) on the same port and data; waits until it is ready. */
  public synchronized void start() throws IOException, InterruptedException {
    if (process != null && process.isAlive()) {
      throw new IllegalStateException(name + " is already running on port " + port);
    }
    beforeStart();
    ProcessBuilder builder =
        new ProcessBuilder(command())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    environment(builder.environment());
    Process started = TestProcesses.track(builder.start());
    process = started;
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(startMillis);
    while (System.nanoTime() < deadline) {
      if (!started.isAlive()) {
        throw new IllegalStateException(
            name + " exited with " + started.exitValue() + "; its log: " + log);
      }
      if (ready()) {
        return;
      }
      Thread.sleep(20);
    }
    throw new IllegalStateException(
        name
            + " was not ready on 127.0.0.1:"
            + port
            + " within "
            + startMillis / 1000
            + " s; its log: "
            + log);
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
        throw new IllegalStateException(name + " survived SIGKILL for 30 s");
      }
    }
  }

  /** SIGTERM, then SIGKILL when it has not exited within 30 s. */
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

  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
