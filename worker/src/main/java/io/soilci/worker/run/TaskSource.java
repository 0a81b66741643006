package io.soilci.worker.run;

import io.soilci.result.BadInput;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Where a job's task list comes from: a file ({@code --tasks}) or what a command prints ({@code
 * --tasks-from}, e.g. Soil's {@code soil/worker.sh JOB-dev-minimal}).
 */
final class TaskSource {
  private static final long COMMAND_TIMEOUT_SECONDS = 120;

  private TaskSource() {}

  static List<TaskLine> fromFile(Path file) {
    String source = "tasks file '" + file + "'";
    try {
      if (Files.size(file) > TaskList.MAX_BYTES) {
        throw new BadInput(source + " is larger than " + TaskList.MAX_BYTES + " bytes");
      }
      return TaskList.parse(Files.readString(file, StandardCharsets.UTF_8), source);
    } catch (NoSuchFileException e) {
      throw new BadInput(source + " does not exist; fix --tasks");
    } catch (IOException e) {
      throw new BadInput(source + " cannot be read (" + e.getMessage() + "); fix --tasks");
    }
  }

  /** Runs {@code command} with {@code sh -c} in {@code dir} and parses what it prints. */
  static List<TaskLine> fromCommand(String command, Path dir, Map<String, String> env) {
    String source = "the output of --tasks-from '" + command + "'";
    ProcessBuilder builder =
        new ProcessBuilder("sh", "-c", command)
            .directory(dir.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
            .redirectError(ProcessBuilder.Redirect.INHERIT);
    builder.environment().clear();
    builder.environment().putAll(env);
    try {
      Process process = builder.start();
      byte[] out = process.getInputStream().readNBytes(TaskList.MAX_BYTES + 1);
      process.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
      if (!process.waitFor(COMMAND_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new JobFailure(
            "--tasks-from '" + command + "' ran over " + COMMAND_TIMEOUT_SECONDS + " s");
      }
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
      return TaskList.parse(new String(out, StandardCharsets.UTF_8), source);
    } catch (IOException e) {
      throw new JobFailure("--tasks-from '" + command + "' did not run: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new JobFailure("interrupted while running --tasks-from", e);
    }
  }
}
