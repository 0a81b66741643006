package io.soilci.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A cancelled CI run: SIGTERM to a real {@code run-job --server} worker while its slow task runs.
 * The worker kills the task, publishes what ran as cancelled, sends the done event and exits 143
 * within its deadline; the run page, the status file, the status API's JSON and the job-failed hook
 * all say so.
 */
class CancelledJobIT {
  /** The worker's bound from the signal to its exit (StopSignals.DEADLINE), plus the JVM's exit. */
  private static final Duration BOUND = Duration.ofSeconds(9);

  @TempDir Path tmp;

  @Test
  void aWorkerStoppedBySigtermPublishesItsJobAsCancelledAndExits143() throws Exception {
    Path hookLog = tmp.resolve("hooks.txt");
    String hook =
        "printf '%s %s %s %s\\\\n' \\\"$SOIL_EVENT\\\" \\\"$SOIL_JOB\\\" \\\"$SOIL_STATUS\\\""
            + " \\\"$SOIL_STATUS_TEXT\\\" >> '"
            + hookLog
            + "'";
    try (ServerProcess server =
        new ServerProcess(
            Files.createDirectories(tmp.resolve("s")),
            "\"hooks\": {\"job-failed\": \"" + hook + "\"}")) {
      int seconds = 7000 + ThreadLocalRandom.current().nextInt(2000);
      Path checkout = Files.createDirectories(tmp.resolve("checkout"));
      script(checkout, "slow.sh", "echo started\ntouch _started\nexec sleep \"$1\"\n");
      script(checkout, "after.sh", "touch _after\n");
      Files.writeString(
          checkout.resolve("tasks.txt"),
          "slow ./slow.sh " + seconds + " -\nafter ./after.sh run -\n");
      Git git = new Git(checkout);
      git.run("init", "-q", "-b", "main");
      git.run("add", "-A");
      git.run("commit", "-q", "-m", "Cancel me <soon>");
      String commit = git.run("rev-parse", "HEAD");
      Process job = runJob(server, checkout);
      try {
        awaitFile(checkout.resolve("_started"), Duration.ofSeconds(60));
        Path page = server.site.resolve("github-jobs/31/index.html");
        awaitContains(page, "running slow", Duration.ofSeconds(30));
        // The start event carried the commit: the running run shows it before the job is done.
        assertThat(Files.readString(page))
            .contains("Cancel me &lt;soon&gt;")
            .contains(commit.substring(0, 8))
            .contains("cancel-branch")
            .contains("data-wall-since=\"");

        long signalled = System.nanoTime();
        job.destroy(); // SIGTERM, as GitHub Actions sends on cancel

        assertThat(job.waitFor(BOUND.toSeconds(), TimeUnit.SECONDS))
            .as("the worker exits within %s of SIGTERM", BOUND)
            .isTrue();
        Duration took = Duration.ofNanos(System.nanoTime() - signalled);
        System.out.println(
            "CancelledJobIT: the worker exited " + took.toMillis() + " ms after SIGTERM");
        String output = Files.readString(checkout.resolve("run-job.log"));
        assertThat(job.exitValue()).as(output).isEqualTo(143);
        assertThat(output).contains("SIGTERM: cancelling the job").contains("published");
        assertThat(took).isLessThan(BOUND);

        assertThat(sleepers(seconds)).as("the killed task's processes").isEmpty();
        assertThat(checkout.resolve("_after")).as("no task starts after the signal").doesNotExist();

        String html = server.page("github-jobs/31/index.html");
        assertThat(html).contains("cancelled by SIGTERM").doesNotContain("running slow");
        assertThat(Files.readString(server.site.resolve("github-jobs/31/cancel-job.tsv")))
            .startsWith("143\t")
            .doesNotContain("after");
        assertThat(Files.readString(server.site.resolve("github-jobs/31/cancel-job.json")))
            .contains("\"job-cancelled\": \"SIGTERM\"");
        assertThat(
                Files.readString(
                    server.site.resolve("status-api/github/9031/cancel-job.status.txt")))
            .startsWith("143 ");
        assertThat(server.page("status-api/github/9031/index.json"))
            .contains("cancelled by SIGTERM");
        awaitContains(
            hookLog, "job-failed cancel-job 143 cancelled by SIGTERM", Duration.ofSeconds(10));
      } finally {
        job.destroyForcibly();
        sleepers(seconds).forEach(ProcessHandle::destroyForcibly);
      }
    }
  }

  private static void script(Path dir, String name, String body) throws Exception {
    Path script = Files.writeString(dir.resolve(name), "#!/bin/sh\n" + body);
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  private static Process runJob(ServerProcess server, Path checkout) throws Exception {
    ProcessBuilder builder =
        new ProcessBuilder(
                "java",
                "-jar",
                Repo.WORKER_JAR.toString(),
                "run-job",
                "cancel-job",
                "--tasks",
                "tasks.txt",
                "--checkout",
                checkout.toString(),
                "--server",
                server.uri().toString(),
                "--worker-host",
                "github",
                "--run-id",
                "31",
                "--update-status-api")
            .directory(checkout.toFile())
            .redirectErrorStream(true)
            .redirectOutput(checkout.resolve("run-job.log").toFile());
    builder.environment().put("SOIL_TOKEN", server.token);
    builder.environment().put("GITHUB_RUN_ID", "9031");
    builder.environment().put("GITHUB_REF", "refs/heads/cancel-branch");
    return builder.start();
  }

  private static List<ProcessHandle> sleepers(int seconds) {
    return ProcessHandle.allProcesses()
        .filter(p -> p.info().commandLine().orElse("").contains("sleep " + seconds))
        .toList();
  }

  static void awaitFile(Path file, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!Files.exists(file) && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(file).exists();
  }

  static void awaitContains(Path file, String text, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline
        && !(Files.exists(file) && Files.readString(file).contains(text))) {
      Thread.sleep(50);
    }
    assertThat(file).exists();
    assertThat(Files.readString(file)).contains(text);
  }
}
