package io.soilci.worker.merge;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Real git in a test folder: a bare "remote" and a clone to commit in. */
final class Git {
  private final Path dir;

  Git(Path dir) {
    this.dir = dir;
  }

  String run(String... args) throws IOException, InterruptedException {
    List<String> command =
        new ArrayList<>(List.of("git", "-c", "user.name=t", "-c", "user.email=t@t"));
    command.addAll(List.of(args));
    Process process =
        new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
      throw new IllegalStateException("git " + String.join(" ", args) + ": " + output);
    }
    return output.strip();
  }

  String commit(String message) throws IOException, InterruptedException {
    run("commit", "-q", "--allow-empty", "-m", message);
    return run("rev-parse", "HEAD");
  }
}
