package io.soilci.e2e;

import io.soilci.server.testing.TestProcesses;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs a command to completion, bounded in time, keeping its output. */
final class Processes {
  /** Exit status and combined output. */
  record Result(int exit, String output) {}

  private Processes() {}

  static Result run(Path dir, Map<String, String> env, long timeoutSeconds, String... command)
      throws IOException, InterruptedException {
    Path log = Files.createTempFile("soil-e2e-", ".log");
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    builder.environment().putAll(env);
    Process process = TestProcesses.track(builder.start());
    process.getOutputStream().close();
    if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      process.descendants().forEach(ProcessHandle::destroy);
      process.destroy();
      process.waitFor(10, TimeUnit.SECONDS);
      throw new IllegalStateException(
          String.join(" ", command)
              + " took over "
              + timeoutSeconds
              + " s:\n"
              + Files.readString(log));
    }
    String output = Files.readString(log, StandardCharsets.UTF_8);
    Files.delete(log);
    return new Result(process.exitValue(), output);
  }

  static Result java(Path dir, Map<String, String> env, Path jar, String... args)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("java", "-jar", jar.toString()));
    command.addAll(List.of(args));
    return run(dir, env, 120, command.toArray(String[]::new));
  }
}
