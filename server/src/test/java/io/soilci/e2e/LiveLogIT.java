package io.soilci.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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

  /**
   * With {@code --parallel 2}, two tasks of one job run at once (each waits for the other's file,
   * then for _gate): the run page shows both running, each with its own live log.
   */
  @Test
  void twoTasksRunningAtOnceAreBothOnTheRunPageEachWithItsLiveLog() throws Exception {
    try (ServerProcess server = new ServerProcess(Files.createDirectories(tmp.resolve("s")))) {
      Path checkout = Files.createDirectories(tmp.resolve("checkout"));
      Path script =
          Files.writeString(
              checkout.resolve("meet.sh"),
              String.join(
                  "\n",
                  "#!/bin/sh",
                  "me=${1%%:*}; other=${1##*:}",
                  "touch _$me; echo \"$me runs\"",
                  "i=0; while [ ! -f _$other ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done",
                  "echo \"$me met $other\"",
                  "i=0; while [ ! -f _gate ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done",
                  ""));
      Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
      Files.writeString(
          checkout.resolve("tasks.txt"),
          "left ./meet.sh left:right -\nright ./meet.sh right:left -\n");
      Process job = runJob(server, checkout, "par-job", "32", "--parallel", "2");
      try {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        HttpResponse<String> left =
            awaitLive(server, "live/github-jobs/32/par-job/left.txt", deadline, "left met right");
        HttpResponse<String> right =
            awaitLive(server, "live/github-jobs/32/par-job/right.txt", deadline, "right met left");
        HttpResponse<String> page = awaitPage(server, "github-jobs/32/index.html", deadline);

        assertThat(Files.exists(checkout.resolve("_gate"))).isFalse();
        assertThat(left.body()).startsWith("left runs\nleft met right");
        assertThat(right.body()).startsWith("right runs\nright met left");
        assertThat(page.body())
            .contains("live/github-jobs/32/par-job/left.txt")
            .contains("live/github-jobs/32/par-job/right.txt");
      } finally {
        Files.writeString(checkout.resolve("_gate"), "open");
        assertThat(job.waitFor(120, TimeUnit.SECONDS)).isTrue();
      }
      assertThat(job.exitValue()).as(Files.readString(checkout.resolve("run-job.log"))).isZero();
    }
  }

  /** GETs {@code path} until it names both running tasks' live logs, or the deadline passes. */
  private static HttpResponse<String> awaitPage(ServerProcess server, String path, long deadline)
      throws Exception {
    Http http = new Http();
    HttpResponse<String> response = http.get(server.uri().resolve(path));
    while (!(response.body().contains("/par-job/left.txt")
            && response.body().contains("/par-job/right.txt"))
        && System.nanoTime() < deadline) {
      Thread.sleep(100);
      response = http.get(server.uri().resolve(path));
    }
    return response;
  }

  private static Process runJob(ServerProcess server, Path checkout) throws Exception {
    return runJob(server, checkout, "live-job", "31");
  }

  private static Process runJob(
      ServerProcess server, Path checkout, String jobName, String runId, String... more)
      throws Exception {
    List<String> command =
        new ArrayList<>(
            List.of(
                "java",
                "-jar",
                Repo.WORKER_JAR.toString(),
                "run-job",
                jobName,
                "--tasks",
                "tasks.txt",
                "--checkout",
                checkout.toString(),
                "--server",
                server.uri().toString(),
                "--worker-host",
                "github",
                "--run-id",
                runId));
    command.addAll(List.of(more));
    ProcessBuilder builder =
        new ProcessBuilder(command)
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
    return awaitLive(server, path, deadline, "");
  }

  /** GETs {@code path} until it answers 200 with a body holding {@code text}, or the deadline. */
  private static HttpResponse<String> awaitLive(
      ServerProcess server, String path, long deadline, String text) throws Exception {
    Http http = new Http();
    HttpResponse<String> response = http.get(server.uri().resolve(path));
    while ((response.statusCode() != 200
            || response.body().isEmpty()
            || !response.body().contains(text))
        && System.nanoTime() < deadline) {
      Thread.sleep(50);
      response = http.get(server.uri().resolve(path));
    }
    return response;
  }
}
