package io.soilci.worker.workspace;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A real bare git repository made for a test, with a work tree to add commits to it. */
final class GitFixture {
  private final Path bare;
  private final Path work;

  private GitFixture(Path bare, Path work) {
    this.bare = bare;
    this.work = work;
  }

  /** A bare repository under {@code dir} with one commit on {@code main} holding README. */
  static GitFixture create(Path dir) throws IOException {
    Files.createDirectories(dir);
    GitFixture fixture = new GitFixture(dir.resolve("origin.git"), dir.resolve("author"));
    git(dir, "init", "-q", "--bare", "-b", "main", fixture.bare.toString());
    git(dir, "init", "-q", "-b", "main", fixture.work.toString());
    fixture.commit("README", "first\n");
    return fixture;
  }

  String url() {
    return bare.toUri().toString();
  }

  Path bare() {
    return bare;
  }

  /** Writes {@code file} and pushes a commit of it to the bare repository; returns its hash. */
  String commit(String file, String content) throws IOException {
    Path path = work.resolve(file);
    Files.createDirectories(path.getParent());
    Files.writeString(path, content);
    git(work, "add", file);
    git(
        work,
        "-c",
        "user.name=t",
        "-c",
        "user.email=t@example.org",
        "commit",
        "-q",
        "-m",
        "add " + file);
    git(work, "push", "-q", bare.toString(), "main");
    return git(work, "rev-parse", "HEAD").strip();
  }

  /** Writes {@code file} as an executable script and pushes a commit of it; returns its hash. */
  String commitScript(String file, String content) throws IOException {
    Path path = work.resolve(file);
    Files.createDirectories(path.getParent());
    Files.writeString(path, content);
    path.toFile().setExecutable(true);
    git(work, "add", file);
    git(
        work,
        "-c",
        "user.name=t",
        "-c",
        "user.email=t@example.org",
        "commit",
        "-q",
        "-m",
        "add " + file);
    git(work, "push", "-q", bare.toString(), "main");
    return git(work, "rev-parse", "HEAD").strip();
  }

  static String git(Path dir, String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of("git"));
    command.addAll(List.of(args));
    Process process =
        new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    try {
      if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
        throw new IOException(command + " failed: " + output);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(command + " interrupted", e);
    }
    return output;
  }
}
