package io.soilci.worker.run;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A git checkout in a temp folder with executable task scripts, as a job would find it. */
final class Checkout {
  /**
   * A task script that starts {@code sleep ARG} in the background, prints that child's process line
   * once it runs, then hangs: a timeout must take the child too.
   */
  static final String HANG_WITH_CHILD =
      "sleep \"$1\" &\n"
          + "i=0; until ps -eo args | grep \"^sleep $1\"; do\n"
          + "  i=$((i+1)); [ $i -lt 50 ] || break; sleep 0.1\n"
          + "done\n"
          + "echo waiting; sleep 60; echo never";

  private final Path dir;

  private Checkout(Path dir) {
    this.dir = dir;
  }

  /** A folder with one commit whose subject is {@code subject}. */
  static Checkout create(Path dir, String subject) throws Exception {
    git(dir, "init", "-q");
    git(
        dir,
        "-c",
        "user.name=Soil Test",
        "-c",
        "user.email=test@soilci.io",
        "commit",
        "-q",
        "--allow-empty",
        "-m",
        subject);
    return new Checkout(dir);
  }

  Path dir() {
    return dir;
  }

  /** Writes an executable {@code sh} script at {@code path} (relative to the checkout). */
  Checkout script(String path, String body) throws IOException {
    Path file = dir.resolve(path);
    Files.createDirectories(file.getParent());
    Files.writeString(file, "#!/bin/sh\n" + body + "\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    return this;
  }

  Path file(String path, String text) throws IOException {
    Path file = dir.resolve(path);
    Files.createDirectories(file.getParent());
    return Files.writeString(file, text);
  }

  String read(String path) throws IOException {
    return Files.readString(dir.resolve(path));
  }

  String head() throws Exception {
    Process git = new ProcessBuilder("git", "rev-parse", "HEAD").directory(dir.toFile()).start();
    String hash = new String(git.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    git.waitFor(10, TimeUnit.SECONDS);
    return hash;
  }

  private static void git(Path dir, String... args) throws Exception {
    List<String> command = new java.util.ArrayList<>(List.of("git"));
    command.addAll(List.of(args));
    Process git = new ProcessBuilder(command).directory(dir.toFile()).inheritIO().start();
    if (!git.waitFor(30, TimeUnit.SECONDS) || git.exitValue() != 0) {
      throw new IllegalStateException("git " + String.join(" ", args) + " failed");
    }
  }
}
