package io.soilci.worker.workspace;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several {@code soil-worker.jar} processes on one machine and one workspace: the OS file locks
 * keep their instances apart, and a worker killed mid-job leaves an instance the next one finds
 * stale.
 */
class WorkerProcessesIT {
  private static final Path JAR = Path.of("target/soil-worker.jar").toAbsolutePath();
  private static final String TASK =
      "#!/bin/sh\n"
          + "if [ -f mine.txt ]; then echo \"someone else's file: $(cat mine.txt)\"; exit 4; fi\n"
          + "echo \"$$\" > mine.txt\n"
          + "echo \"in $(pwd)\"\n"
          + "sleep \"$1\"\n";

  @TempDir Path tmp;
  private Path file;

  @BeforeEach
  void createWorkspace() throws IOException {
    GitFixture origin = GitFixture.create(tmp.resolve("git"));
    origin.commitScript("t/hold.sh", TASK);
    file = tmp.resolve("ws.json");
    Files.writeString(
        file,
        "{\"name\": \"procs\", \"repositories\": [{\"url\": \""
            + origin.url()
            + "\", \"path\": \".\", \"ref\": \"main\"}]}");
    Files.writeString(tmp.resolve("short.txt"), "hold t/hold.sh 5 -\n");
    Files.writeString(tmp.resolve("long.txt"), "hold t/hold.sh 30 -\n");
  }

  private Process start(String job, String tasks) throws IOException {
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar",
                JAR.toString(),
                "run-job",
                job,
                "--workspace",
                file.toString(),
                "--workspace-root",
                tmp.resolve("cache").toString(),
                "--tasks",
                tmp.resolve(tasks).toString(),
                "--out",
                tmp.resolve("out-" + job).toString(),
                "--worker-host",
                "none"));
    return new ProcessBuilder(command)
        .directory(tmp.toFile())
        .redirectErrorStream(true)
        .redirectOutput(tmp.resolve(job + ".log").toFile())
        .start();
  }

  private static int waitFor(Process process) throws InterruptedException {
    if (!process.waitFor(2, TimeUnit.MINUTES)) {
      process.destroyForcibly();
      throw new AssertionError("a worker ran over 2 minutes");
    }
    return process.exitValue();
  }

  /** Whether an instance under {@code root} is marked in use by a job. */
  private static boolean inUse(Path root) throws IOException {
    if (!Files.isDirectory(root)) {
      return false;
    }
    try (var files = Files.walk(root)) {
      return files
          .filter(f -> f.getFileName().toString().equals("0.json"))
          .anyMatch(f -> read(f).contains("\"in-use\""));
    } catch (UncheckedIOException e) {
      // The worker renamed a temp file away while the walk listed it: not known yet, ask again.
      return false;
    }
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      return "";
    }
  }

  private String log(String job) throws IOException {
    return Files.readString(tmp.resolve(job + ".log"), StandardCharsets.UTF_8);
  }

  @Test
  void threeWorkersAtOnceEachGetTheirOwnInstance() throws Exception {
    Process first = start("a", "short.txt");
    Process second = start("b", "short.txt");
    Process third = start("c", "short.txt");

    int[] exits = {waitFor(first), waitFor(second), waitFor(third)};

    assertThat(exits).as(log("a") + log("b") + log("c")).containsOnly(0);
    List<String> dirs = new ArrayList<>();
    for (String job : List.of("a", "b", "c")) {
      dirs.add(log(job).lines().filter(l -> l.contains(" ready in ")).findFirst().orElseThrow());
    }
    assertThat(dirs.stream().map(l -> l.replaceAll(".* ready in (\\S+):.*", "$1")).distinct())
        .hasSize(3);
  }

  @Test
  void aWorkerKilledMidJobLeavesAnInstanceTheNextWorkerFindsStale() throws Exception {
    Process killed = start("killed", "long.txt");
    Path state = tmp.resolve("cache");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!inUse(state) && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    Thread.sleep(500);
    killed.destroyForcibly().waitFor(30, TimeUnit.SECONDS);

    int next = waitFor(start("next", "short.txt"));

    assertThat(next).as(log("next")).isZero();
    assertThat(log("next"))
        .contains(
            "workspace: instance 0 was left in use by job killed without a reset: making it again");
    assertThat(state).isDirectory();
  }
}
