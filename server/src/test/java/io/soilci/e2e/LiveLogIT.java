package io.soilci.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * run-job --server against a real soil-server: what a running task printed is on the server's live
 * log while the task still runs, within seconds (one read a second, then one POST).
 */
class LiveLogIT {
  /** Prints a line, says when, then waits for _gate (at most 60 s) and prints another. */
  private static final String SLOW_SH =
      String.join(
          "\n",
          "#!/bin/sh",
          "echo 'first line <b>'",
          "touch _printed",
          "i=0; while [ ! -f _gate ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done",
          "echo 'after the gate'",
          "");

  /**
   * The most the live log may lag behind the task: about 2 s (a read a second, then a POST), with
   * room for a loaded machine (3.1 s was measured at a load average of 20 on 2 cores).
   */
  private static final Duration LAG = Duration.ofSeconds(5);

  @TempDir Path tmp;

  @Test
  void aRunningTasksLinesAreOnTheLiveLogWithinSecondsWhileItRuns() throws Exception {
    try (ServerProcess server = new ServerProcess(Files.createDirectories(tmp.resolve("s")))) {
      Path checkout = Files.createDirectories(tmp.resolve("checkout"));
      Path script = Files.writeString(checkout.resolve("slow.sh"), SLOW_SH);
      Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
      Files.writeString(checkout.resolve("tasks.txt"), "slow ./slow.sh run -\n");
      Process job = runJob(server, checkout);
      try {
        awaitFile(checkout.resolve("_printed"), Duration.ofSeconds(60));
        long printed = System.nanoTime();

        HttpResponse<String> live =
            awaitLive(server, "live/github-jobs/31/live-job/slow.txt", printed + LAG.toNanos());
        Duration lag = Duration.ofNanos(System.nanoTime() - printed);

        assertThat(Files.exists(checkout.resolve("_gate"))).isFalse();
        assertThat(live.statusCode()).as(live.body()).isEqualTo(200);
        // Its newline follows with the task's next output: it might have begun the end mark.
        assertThat(live.body()).isEqualTo("first line <b>");
        assertThat(lag).isLessThan(LAG);
      } finally {
        Files.writeString(checkout.resolve("_gate"), "open");
        assertThat(job.waitFor(120, TimeUnit.SECONDS)).isTrue();
      }
      assertThat(job.exitValue()).as(Files.readString(checkout.resolve("run-job.log"))).isZero();
    }
  }

  private static Process runJob(ServerProcess server, Path checkout) throws Exception {
    ProcessBuilder builder =
        new ProcessBuilder(
                "java",
                "-jar",
                Repo.WORKER_JAR.toString(),
                "run-job",
                "live-job",
                "--tasks",
                "tasks.txt",
                "--checkout",
                checkout.toString(),
                "--server",
                server.uri().toString(),
                "--worker-host",
                "github",
                "--run-id",
                "31")
            .directory(checkout.toFile())
            .redirectErrorStream(true)
            .redirectOutput(checkout.resolve("run-job.log").toFile());
    builder.environment().put("SOIL_TOKEN", server.token);
    return builder.start();
  }

  private static void awaitFile(Path file, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!Files.exists(file) && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(file).exists();
  }

  /** GETs {@code path} until it answers 200 with a body, or the deadline passes. */
  private static HttpResponse<String> awaitLive(ServerProcess server, String path, long deadline)
      throws Exception {
    Http http = new Http();
    HttpResponse<String> response = http.get(server.uri().resolve(path));
    while ((response.statusCode() != 200 || response.body().isEmpty())
        && System.nanoTime() < deadline) {
      Thread.sleep(50);
      response = http.get(server.uri().resolve(path));
    }
    return response;
  }
}
