package io.soilci.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code run-job --server} asks git for the checked-out commit once: the start event (the run page
 * while the job runs) and {@code JOB.json} both carry what that one {@code git log} said. A {@code
 * git} first on the worker's PATH counts the calls and hands each to the real git.
 */
class RunJobCommitIT {
  private static final String COMMIT_LOG = "log -n 1 --pretty=format:%H%x00%aI%x00%s";

  @TempDir Path tmp;

  @Test
  void asksGitForTheCommitOnceForTheStartEventAndJobJson() throws Exception {
    Path checkout = Files.createDirectories(tmp.resolve("checkout"));
    Files.writeString(checkout.resolve("wait.sh"), RunJobTokenIT.waitsForGo(""));
    Files.writeString(checkout.resolve("tasks.txt"), "wait sh wait.sh -\n");
    Git git = new Git(checkout);
    git.run("init", "-q", "-b", "main");
    git.run("add", "-A");
    git.run("commit", "-q", "-m", "Count the git calls");
    String head = git.run("rev-parse", "HEAD");
    Path calls = tmp.resolve("git-calls.txt");
    Path bin = countingGit(calls);
    try (ServerProcess server = new ServerProcess(Files.createDirectories(tmp.resolve("s")))) {
      AtomicReference<String> runningPage = new AtomicReference<>("");
      Thread reader =
          new Thread(
              () -> {
                try {
                  CancelledJobIT.awaitFile(checkout.resolve("_waiting"), Duration.ofSeconds(60));
                  runningPage.set(server.page("github-jobs/31/index.html"));
                  Files.writeString(checkout.resolve("_go"), "");
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              });
      reader.start();

      Processes.Result result =
          Processes.java(
              checkout,
              Map.of(
                  "SOIL_TOKEN",
                  server.token,
                  "PATH",
                  bin + File.pathSeparator + System.getenv("PATH")),
              Repo.WORKER_JAR,
              "run-job",
              "counted",
              "--tasks",
              checkout.resolve("tasks.txt").toString(),
              "--checkout",
              checkout.toString(),
              "--server",
              server.uri().toString(),
              "--worker-host",
              "github",
              "--run-id",
              "31");
      reader.join();

      assertThat(result.exit()).as(result.output()).isZero();
      assertThat(runningPage.get())
          .as("the run page while the job ran: the start event's commit")
          .contains("commits/" + head + ".html");
      assertThat(Files.readString(server.site.resolve("github-jobs/31/counted.json")))
          .contains("\"commit-hash\": \"" + head + "\"")
          .contains("\"commit-line\": \"Count the git calls\"");
      assertThat(Files.readAllLines(calls)).filteredOn(COMMIT_LOG::equals).hasSize(1);
    }
  }

  /** A folder whose {@code git} appends its arguments to {@code calls}, then runs the real git. */
  private Path countingGit(Path calls) throws Exception {
    String real =
        Arrays.stream(System.getenv("PATH").split(File.pathSeparator))
            .map(dir -> Path.of(dir, "git"))
            .filter(Files::isExecutable)
            .findFirst()
            .orElseThrow()
            .toString();
    Path bin = Files.createDirectories(tmp.resolve("bin"));
    Path git =
        Files.writeString(
            bin.resolve("git"),
            "#!/bin/sh\necho \"$*\" >> '" + calls + "'\nexec '" + real + "' \"$@\"\n");
    assertThat(git.toFile().setExecutable(true)).isTrue();
    return bin;
  }
}
