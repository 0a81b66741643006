package io.soilci.worker.run;

import io.soilci.result.BadInput;
import io.soilci.threads.Daemons;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Where a job's task list comes from: a file ({@code --tasks}) or what a command prints ({@code
 * --tasks-from}, e.g. Soil's {@code soil/worker.sh JOB-dev-minimal}).
 */
final class TaskSource {
  private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(120);

  /** How long the output may stay open once the command exited, for a last write to arrive. */
  private static final Duration OUTPUT_GRACE = Duration.ofSeconds(5);

  private TaskSource() {}

  /**
   * The tasks of {@code file}; a relative one is read from the current directory (as every CLI
   * reads its file arguments), not from {@code checkout}, which a missing one's error names too.
   */
  static List<TaskLine> fromFile(Path file, Path checkout) {
    String source = "tasks file '" + file + "'";
    try {
      if (Files.size(file) > TaskList.MAX_BYTES) {
        throw new BadInput(source + " is larger than " + TaskList.MAX_BYTES + " bytes");
      }
      return TaskList.parse(TaskList.decode(Files.readAllBytes(file), source), source);
    } catch (NoSuchFileException e) {
      throw new BadInput(missing(file, checkout, source));
    } catch (IOException e) {
      throw new BadInput(source + " cannot be read (" + e.getMessage() + "); fix --tasks");
    }
  }

  /** Why {@code file} is not there; for a relative one, both places it could mean. */
  private static String missing(Path file, Path checkout, String source) {
    Path cwd = Path.of("").toAbsolutePath();
    Path inCheckout = checkout.toAbsolutePath().resolve(file).normalize();
    if (file.isAbsolute() || inCheckout.equals(cwd.resolve(file).normalize())) {
      return source + " does not exist; fix --tasks";
    }
    String where =
        source
            + " does not exist in the current directory "
            + cwd
            + " (a relative --tasks is read from there, not from --checkout)";
    return Files.isRegularFile(inCheckout)
        ? where + "; the checkout has " + inCheckout + ": give --tasks " + inCheckout
        : where + ", nor does " + inCheckout + "; fix --tasks";
  }

  /** Runs {@code command} with {@code sh -c} in {@code dir} and parses what it prints. */
  static List<TaskLine> fromCommand(String command, Path dir, Map<String, String> env) {
    return fromCommand(command, dir, env, COMMAND_TIMEOUT);
  }

  /** As {@link #fromCommand(String, Path, Map)}, the command stopped after {@code timeout}. */
  static List<TaskLine> fromCommand(
      String command, Path dir, Map<String, String> env, Duration timeout) {
    String source = "the output of --tasks-from '" + command + "'";
    ProcessBuilder builder =
        new ProcessBuilder("sh", "-c", command)
            .directory(dir.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
            .redirectError(ProcessBuilder.Redirect.INHERIT);
    builder.environment().clear();
    builder.environment().putAll(env);
    Process process;
    try {
      process = builder.start();
    } catch (IOException e) {
      throw new JobFailure("--tasks-from '" + command + "' did not run: " + e.getMessage(), e);
    }
    // Read on a thread of its own: the output ends when every process holding it has closed it,
    // which may be never (a process started in the background), and the deadline must hold.
    CompletableFuture<byte[]> output = new CompletableFuture<>();
    Daemons.start("soil-tasks-from", () -> readCapped(process.getInputStream(), output));
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        stop(process);
        throw new JobFailure(
            "--tasks-from '" + command + "' ran over " + timeout.toSeconds() + " s");
      }
      byte[] out = output.get(OUTPUT_GRACE.toMillis(), TimeUnit.MILLISECONDS);
      if (process.exitValue() != 0) {
        throw new JobFailure(
            "--tasks-from '"
                + command
                + "' exited with status "
                + process.exitValue()
                + "; run it by hand to see why");
      }
      if (out.length > TaskList.MAX_BYTES) {
        throw new BadInput(source + " is larger than " + TaskList.MAX_BYTES + " bytes");
      }
      return TaskList.parse(TaskList.decode(out, source), source);
    } catch (TimeoutException e) {
      throw new JobFailure(
          "--tasks-from '"
              + command
              + "' exited, but a process it started still holds its output open; end that"
              + " process or send its output elsewhere (e.g. > /dev/null 2>&1)");
    } catch (ExecutionException e) {
      throw new JobFailure(
          "--tasks-from '" + command + "': its output could not be read: " + e.getCause(), e);
    } catch (InterruptedException e) {
      stop(process);
      Thread.currentThread().interrupt();
      throw new JobFailure("interrupted while running --tasks-from", e);
    }
  }

  /** Up to one byte more than a task list may have; the rest is read and dropped. */
  private static void readCapped(InputStream in, CompletableFuture<byte[]> output) {
    try (in) {
      byte[] bytes = in.readNBytes(TaskList.MAX_BYTES + 1);
      in.transferTo(OutputStream.nullOutputStream());
      output.complete(bytes);
    } catch (IOException e) {
      output.completeExceptionally(e);
    }
  }

  /** Kills the command and what it started that still runs under it. */
  private static void stop(Process process) {
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
  }
}
