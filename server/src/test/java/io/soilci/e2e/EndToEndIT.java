package io.soilci.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * run-job --server against a real soil-server: live pages mid-job, the final pages and status API,
 * maybe-merge on a green and a red run, and a secret that never reaches the tasks.
 */
class EndToEndIT {
  private static final String TASKS_SH =
      String.join(
          "\n",
          "#!/bin/sh",
          "case $1 in",
          "  first) echo first; env ;;",
          "  gate) i=0; while [ ! -f _gate ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done;"
              + " echo gate opened ;;",
          "  pass) echo fine ;;",
          "  fail) echo broken >&2; exit 1 ;;",
          "esac",
          "");

  @TempDir static Path tmp;
  static ServerProcess server;
  static Http http = new Http();

  @BeforeAll
  static void startServer() throws Exception {
    server = new ServerProcess(Files.createDirectories(tmp.resolve("server")));
  }

  @AfterAll
  static void stopServer() throws Exception {
    server.close();
  }

  /** A checkout whose job is: first, gate (waits for _gate), then pass or fail. */
  private static Path checkout(String name, String lastAction) throws Exception {
    Path dir = Files.createDirectories(tmp.resolve(name));
    Path script = Files.writeString(dir.resolve("tasks.sh"), TASKS_SH);
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.writeString(
        dir.resolve("tasks.txt"),
        "first ./tasks.sh first -\ngate ./tasks.sh gate -\nlast ./tasks.sh " + lastAction + " -\n");
    return dir;
  }

  private static Process runJob(Path checkout, int run) throws Exception {
    ProcessBuilder builder =
        new ProcessBuilder(
                "java",
                "-jar",
                Repo.WORKER_JAR.toString(),
                "run-job",
                "e2e-job",
                "--tasks",
                "tasks.txt",
                "--provider",
                "local",
                "--checkout",
                checkout.toString(),
                "--server",
                server.uri().toString(),
                "--worker-host",
                "github",
                "--run-id",
                Integer.toString(run),
                "--update-status-api")
            .directory(checkout.toFile())
            .redirectErrorStream(true)
            .redirectOutput(checkout.resolve("run-job.log").toFile());
    builder.environment().put("SOIL_TOKEN", server.token);
    builder.environment().put("GITHUB_RUN_NUMBER", Integer.toString(run));
    builder.environment().put("GITHUB_RUN_ID", Integer.toString(9000 + run));
    return builder.start();
  }

  /** The run page's row of a running task, whatever other attributes the row carries. */
  private static final Pattern GATE_RUNNING =
      Pattern.compile("<tr class=\"running\"[^>]*><td>gate</td>");

  private static String awaitPage(String path, Pattern needle) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    String body = "";
    while (System.nanoTime() < deadline) {
      var response = http.get(server.uri().resolve(path));
      body = response.body();
      if (response.statusCode() == 200 && needle.matcher(body).find()) {
        return body;
      }
      Thread.sleep(100);
    }
    throw new AssertionError(path + " never contained '" + needle + "':\n" + body);
  }

  private static int finish(Path checkout, Process job) throws Exception {
    Files.writeString(checkout.resolve("_gate"), "open");
    assertThat(job.waitFor(120, TimeUnit.SECONDS)).isTrue();
    return job.exitValue();
  }

  @Test
  void pagesShowTheJobRunningThenPassedAndMaybeMergeMergesIt() throws Exception {
    Path checkout = checkout("green", "pass");
    Process job = runJob(checkout, 7);

    String live = awaitPage("github-jobs/7/", GATE_RUNNING);
    assertThat(live)
        .contains("<span class=\"tag running\">running</span>")
        .containsPattern("<tr class=\"pass\"[^>]*><td>first</td>")
        .doesNotContain("<td>last</td>");
    assertThat(
            http.get(server.uri().resolve("status-api/github/9007/e2e-job.status.txt"))
                .statusCode())
        .isEqualTo(404);

    int exit = finish(checkout, job);

    assertThat(exit).as(Files.readString(checkout.resolve("run-job.log"))).isEqualTo(0);
    String done = awaitPage("github-jobs/7/", Pattern.compile("<td>last</td>"));
    assertThat(done)
        .doesNotContain("tag running")
        .doesNotContainPattern("<tr class=\"running\"[^>]*><td>");
    assertThat(http.get(server.uri().resolve("status-api/github/9007/e2e-job.status.txt")).body())
        .startsWith("0 ");
    assertThat(maybeMerge(9007, tmp.resolve("merge-green"))).isEqualTo(List.of("0", "merged"));
  }

  @Test
  void aFailedJobIsShownFailedAndMaybeMergeRefusesIt() throws Exception {
    Path checkout = checkout("red", "fail");
    Process job = runJob(checkout, 8);
    awaitPage("github-jobs/8/", GATE_RUNNING);

    int exit = finish(checkout, job);

    assertThat(exit).isEqualTo(1);
    String page = awaitPage("github-jobs/8/", Pattern.compile("<td>last</td>"));
    assertThat(page).doesNotContain("tag running");
    assertThat(http.get(server.uri().resolve("status-api/github/9008/e2e-job.status.txt")).body())
        .startsWith("1 ");
    assertThat(maybeMerge(9008, tmp.resolve("merge-red"))).isEqualTo(List.of("3", "not merged"));
  }

  @Test
  void theWorkerTokenNeverReachesTheTasks() throws Exception {
    Path checkout = checkout("secret", "pass");
    Process job = runJob(checkout, 9);
    awaitPage("github-jobs/9/", GATE_RUNNING);
    finish(checkout, job);

    var log = http.get(server.uri().resolve("github-jobs/9/e2e-job.wwz/_tmp/soil/logs/first.txt"));

    assertThat(log.statusCode()).isEqualTo(200);
    assertThat(log.body())
        .contains("GITHUB_RUN_NUMBER=9")
        .doesNotContain(server.token.split(":")[1]);
  }

  /** Runs maybe-merge for a fresh repository; returns its exit and whether the branch moved. */
  private static List<String> maybeMerge(int runId, Path dir) throws Exception {
    Path bare = Files.createDirectories(dir.resolve("remote.git"));
    new Git(bare).run("init", "-q", "--bare", "-b", "main");
    Path work = Files.createDirectories(dir.resolve("work"));
    Git clone = new Git(work);
    clone.run("init", "-q", "-b", "main");
    clone.run("commit", "-q", "--allow-empty", "-m", "base");
    clone.run("push", "-q", bare.toString(), "main");
    clone.run("commit", "-q", "--allow-empty", "-m", "tested");
    String tested = clone.run("rev-parse", "HEAD");

    Processes.Result result =
        Processes.java(
            work,
            Map.of(),
            Repo.WORKER_JAR,
            "maybe-merge",
            "--server",
            server.uri().toString(),
            "--run-id",
            Integer.toString(runId),
            "--jobs",
            "e2e-job",
            "--sha",
            tested,
            "--git-remote",
            bare.toString(),
            "--wait",
            "10",
            "--poll",
            "0.2");

    boolean moved = new Git(bare).run("rev-parse", "main").equals(tested);
    return List.of(Integer.toString(result.exit()), moved ? "merged" : "not merged");
  }
}
