package io.soilci.worker.workspace;

import io.soilci.result.Printable;
import io.soilci.threads.Daemons;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One external command (git, podman, cp, sh), called {@code label} in messages, with exactly the
 * environment given, never the worker's own: what a command may see is decided here, which keeps
 * host secrets out of setup scripts. Output (stdout and stderr together) goes line by line to a
 * listener; the last lines are kept for the error message.
 */
record Exec(
    String label, List<String> command, Path dir, Map<String, String> env, Duration timeout) {
  private static final int KEPT_LINES = 20;
  private static final java.util.regex.Pattern ERROR_LINE =
      java.util.regex.Pattern.compile("(?i)(fatal:|error:|denied|not found|no such)");

  Exec {
    command = List.copyOf(command);
    env = Map.copyOf(env);
  }

  /** Runs the command; its output goes to {@code lines}. Fails unless it exits 0. */
  String run(Consumer<String> lines) {
    Deque<String> last = new ArrayDeque<>();
    int status = start(line -> keep(last, line, lines));
    String output = String.join("\n", last);
    if (status != 0) {
      throw new WorkspaceFailure(
          describe()
              + " exited with status "
              + status
              + (output.isEmpty() ? "" : ": " + lastLine(last)));
    }
    return output;
  }

  /** Runs the command and returns its exit status, whatever it is. */
  int status() {
    return start(line -> {});
  }

  private int start(Consumer<String> lines) {
    ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile());
    builder.redirectErrorStream(true);
    builder.environment().clear();
    builder.environment().putAll(env);
    Process process;
    try {
      process = builder.start();
    } catch (IOException e) {
      throw new WorkspaceFailure("cannot start " + command.get(0) + ": " + e.getMessage(), e);
    }
    Thread reader = Daemons.start("exec-" + label, () -> pump(process, lines));
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        throw new WorkspaceFailure(
            describe() + " did not finish within " + timeout.toSeconds() + " s");
      }
      reader.join(Duration.ofSeconds(5).toMillis());
      return process.exitValue();
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new WorkspaceFailure(describe() + " was interrupted", e);
    }
  }

  private static void pump(Process process, Consumer<String> lines) {
    try (BufferedReader in =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        lines.accept(line);
      }
    } catch (InterruptedIOException e) {
      Thread.currentThread().interrupt();
    } catch (IOException e) {
      // The process is gone; its status tells what happened.
    }
  }

  private static synchronized void keep(Deque<String> last, String line, Consumer<String> lines) {
    last.addLast(line);
    if (last.size() > KEPT_LINES) {
      last.removeFirst();
    }
    lines.accept(line);
  }

  /** The line that says most: the first that reads as an error, else the last one. */
  private static String lastLine(Deque<String> last) {
    for (String line : last) {
      if (ERROR_LINE.matcher(line).find()) {
        return Printable.of(line.strip());
      }
    }
    return last.isEmpty() ? "" : Printable.of(last.getLast());
  }

  private String describe() {
    return label;
  }
}
