package io.soilci.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.assertj.core.api.AbstractStringAssert;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code run-job --server} with a token the real server refuses stops before its first task, with
 * one line saying which token and how to get one that works (exit 2); a server it cannot reach does
 * not stop the job.
 */
class RunJobTokenIT {
  @TempDir Path tmp;

  private Path checkout;
  private Path out;

  @BeforeEach
  void createCheckoutWithAnEarlierResult() throws Exception {
    checkout = Files.createDirectories(tmp.resolve("checkout"));
    Files.writeString(checkout.resolve("tasks.txt"), "touch touch _ran -\n");
    Git git = new Git(checkout);
    git.run("init", "-q", "-b", "main");
    git.run("add", "-A");
    git.run("commit", "-q", "-m", "Check the token first");
    out = Files.createDirectories(tmp.resolve("out"));
    Files.writeString(out.resolve("token-job.json"), "{\"job-name\": \"token-job\"}\n");
  }

  @Test
  void aWrongTokenStopsTheJobBeforeItsFirstTaskSayingSoOnce() throws Exception {
    try (ServerProcess server = new ServerProcess(Files.createDirectories(tmp.resolve("s")))) {
      String wrong = server.token.substring(0, server.token.indexOf(':')) + ":not-the-secret";

      Processes.Result result =
          runJob(Map.of("SOIL_TOKEN", wrong), server.uri().toString(), "--update-status-api");

      assertThat(result.exit()).as(result.output()).isEqualTo(2);
      assertThat(result.output())
          .isEqualTo(refusal(server, "SOIL_TOKEN", "HTTP 401: worker token not recognized"));
      assertNothingRanOrChanged(server);
    }
  }

  @Test
  void aTokenWithoutTheScopesTheJobNeedsStopsItNamingTheTokenFile() throws Exception {
    try (ServerProcess server = new ServerProcess(Files.createDirectories(tmp.resolve("s")))) {
      Path tokenFile =
          Files.writeString(tmp.resolve("token"), server.addWorker("jobs-only", "github-jobs"));

      Processes.Result result =
          runJob(
              Map.of(),
              server.uri().toString(),
              "--update-status-api",
              "--token-file",
              tokenFile.toString());

      assertThat(result.exit()).as(result.output()).isEqualTo(2);
      assertThat(result.output())
          .isEqualTo(
              refusal(
                  server,
                  "--token-file " + tokenFile,
                  "HTTP 403: worker 'jobs-only' may not write 'status-api'"));
      assertNothingRanOrChanged(server);
    }
  }

  /**
   * A token removed while the job runs: its live events stop at the first refusal, said once, and
   * the upload's refusal is the second and last line about it (each event tried again and refused
   * used to be a line of its own).
   */
  @Test
  void aTokenRemovedWhileTheJobRunsIsReportedOnceForTheLiveEvents() throws Exception {
    Files.writeString(checkout.resolve("wait.sh"), waitsForGo(""));
    Files.writeString(
        checkout.resolve("tasks.txt"), "wait sh wait.sh -\na true x -\nb true x -\nc true x -\n");
    try (ServerProcess server = new ServerProcess(Files.createDirectories(tmp.resolve("s")))) {
      Processes.Result result = runJobRemovingTheTokenOnceWaiting(server);

      assertThat(result.output()).contains("[4/4] c: status 0");
      assertRefusedOnceForTheLiveEventsThenForTheUpload(result);
      assertThat(result.exit()).isEqualTo(1); // the job passed, its upload was refused
    }
  }

  /**
   * A token removed while a task prints: the live log stops at its first refusal (it used to send
   * three refused chunks), the events stop with it, and that is said once; the task runs on.
   */
  @Test
  void aTokenRemovedWhileATaskPrintsStopsItsLiveLogAtTheFirstRefusal() throws Exception {
    Files.writeString(
        checkout.resolve("talk.sh"),
        waitsForGo("echo waiting $i; ")
            + "j=0\nwhile [ $j -lt 50 ]; do echo after $j; sleep 0.1; j=$((j+1)); done\n");
    Files.writeString(checkout.resolve("tasks.txt"), "talk sh talk.sh -\nlast true x -\n");
    try (ServerProcess server = new ServerProcess(Files.createDirectories(tmp.resolve("s")))) {
      Processes.Result result = runJobRemovingTheTokenOnceWaiting(server);

      assertThat(result.output()).contains("[2/2] last: status 0");
      assertRefusedOnceForTheLiveEventsThenForTheUpload(result)
          .contains("(HTTP 401: worker token not recognized); check SOIL_TOKEN or --token-file");
      String access = awaitAccessLine(server, "/results");
      assertThat(access.lines().filter(l -> refused(l, "/log"))).as(access).hasSize(1);
      assertThat(access.lines().filter(l -> refused(l, "/event"))).as(access).isEmpty();
      assertThat(result.exit()).isEqualTo(1); // the job passed, its upload was refused
    }
  }

  /**
   * A task script that touches {@code _waiting}, then waits (at most 60 s) for {@code _go}, running
   * {@code eachWait} (shell, ending in {@code ;}) before each tenth of a second it waits.
   */
  static String waitsForGo(String eachWait) {
    return "#!/bin/sh\ntouch _waiting\ni=0\nuntil [ -e _go ] || [ $i -ge 600 ]; do\n  "
        + eachWait
        + "sleep 0.1; i=$((i+1))\ndone\n";
  }

  /** Runs the job with the server's token, removed once the job's first task waits for it. */
  private Processes.Result runJobRemovingTheTokenOnceWaiting(ServerProcess server)
      throws Exception {
    Thread removeOnceWaiting = removeTheTokenOnceWaiting(server);
    Processes.Result result = runJob(Map.of("SOIL_TOKEN", server.token), server.uri().toString());
    removeOnceWaiting.join();
    return result;
  }

  /**
   * Two lines say the token was refused: the first for the live events and log (which stop), the
   * second for the upload. Returns the first, for more checks.
   */
  private static AbstractStringAssert<?> assertRefusedOnceForTheLiveEventsThenForTheUpload(
      Processes.Result result) {
    return assertThat(result.output().lines().filter(l -> l.contains("refused the worker token")))
        .as(result.output())
        .hasSize(2)
        .first()
        .asString()
        .endsWith("; no more live events or live log for this job");
  }

  /** Once the job's first task waits for it: removes the token, then lets the task go on. */
  private Thread removeTheTokenOnceWaiting(ServerProcess server) {
    Thread remover =
        new Thread(
            () -> {
              try {
                CancelledJobIT.awaitFile(checkout.resolve("_waiting"), Duration.ofSeconds(60));
                Processes.java(
                    tmp,
                    Map.of(),
                    Repo.SERVER_JAR,
                    "remove-worker",
                    "e2e",
                    "--site",
                    server.site.toString(),
                    "--state",
                    server.state.toString());
                Files.writeString(checkout.resolve("_go"), "");
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
    remover.start();
    return remover;
  }

  /** The server's log once its access log has a 401 line of {@code route} (bounded). */
  private static String awaitAccessLine(ServerProcess server, String route) throws Exception {
    for (int i = 0; i < 100 && server.log().lines().noneMatch(l -> refused(l, route)); i++) {
      Thread.sleep(100);
    }
    return server.log();
  }

  /** Whether {@code line} of the access log is a POST to {@code route} answered 401. */
  private static boolean refused(String line, String route) {
    return line.matches(".* POST " + route + "(\\?\\S*)? 401 .*");
  }

  @Test
  void aServerThatCannotBeReachedDoesNotStopTheJob() throws Exception {
    String down = "http://127.0.0.1:" + ServerProcess.freePort() + "/";

    Processes.Result result =
        runJob(Map.of("SOIL_TOKEN", "e2e:whatever"), down, "--retry-for", "0");

    assertThat(checkout.resolve("_ran")).as(result.output()).exists();
    assertThat(result.output())
        .contains("[1/1] touch: status 0")
        .doesNotContain("refused the worker token");
    assertThat(result.exit()).isEqualTo(1); // the job passed, its upload could not
  }

  private Processes.Result runJob(Map<String, String> env, String server, String... more)
      throws Exception {
    List<String> args =
        new ArrayList<>(
            List.of(
                "run-job",
                "token-job",
                "--tasks",
                checkout.resolve("tasks.txt").toString(),
                "--checkout",
                checkout.toString(),
                "--out",
                out.toString(),
                "--server",
                server,
                "--worker-host",
                "github",
                "--run-id",
                "31"));
    args.addAll(List.of(more));
    return Processes.java(checkout, env, Repo.WORKER_JAR, args.toArray(String[]::new));
  }

  /** The one line of a job stopped because the server refused the token from {@code source}. */
  private static String refusal(ServerProcess server, String source, String answer) {
    return "soil-worker: server "
        + server.uri()
        + " refused the worker token from "
        + source
        + " ("
        + answer
        + "), so the job was not run and nothing was published: give "
        + source
        + " the NAME:SECRET that 'soil-server add-worker NAME --scopes github-jobs,status-api'"
        + " printed (a removed or replaced token stops working)\n";
  }

  private void assertNothingRanOrChanged(ServerProcess server) throws Exception {
    assertThat(checkout.resolve("_ran")).as("the task never ran").doesNotExist();
    assertThat(checkout.resolve("_tmp")).doesNotExist();
    try (Stream<Path> files = Files.list(out)) {
      assertThat(files).containsExactly(out.resolve("token-job.json"));
    }
    assertThat(server.site.resolve("github-jobs/31")).doesNotExist();
  }
}
