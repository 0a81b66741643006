package io.soilci.server.live;

import static org.assertj.core.api.Assertions.assertThat;

import io.soilci.server.auth.Scope;
import io.soilci.server.auth.Worker;
import io.soilci.server.auth.WorkerStore;
import io.soilci.server.state.StateLayout;
import io.soilci.server.testing.TestServer;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LiveLogHttpTest {
  private static final String JOB = "workerHost=github&runId=8001&jobName=cpp";

  @TempDir Path dir;
  private TestServer server;

  @BeforeEach
  void start() throws IOException {
    server = TestServer.start(dir);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private HttpResponse<String> log(String query, String authorization, byte[] body) {
    return server.send(
        HttpRequest.newBuilder(server.uri("/log?" + query))
            .header("Authorization", authorization)
            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
            .build());
  }

  @Test
  void appendsChunksAndServesThemAsPlainTextFromAnOffset() {
    assertThat(
            log(JOB + "&task=unit", server.github, "hello ".getBytes(StandardCharsets.UTF_8))
                .body())
        .isEqualTo("log github-jobs/8001/cpp/unit 6\n");
    log(JOB + "&task=unit", server.github, "<b>world</b>".getBytes(StandardCharsets.UTF_8));

    HttpResponse<String> tail = server.get("/live/github-jobs/8001/cpp/unit.txt?offset=6");

    assertThat(tail.statusCode()).isEqualTo(200);
    assertThat(tail.body()).isEqualTo("<b>world</b>");
    assertThat(tail.headers().firstValue("X-Soil-Log-Start")).contains("6");
    assertThat(tail.headers().firstValue("X-Soil-Log-End")).contains("18");
    assertThat(tail.headers().firstValue("X-Content-Type-Options")).contains("nosniff");
    assertThat(tail.headers().firstValue("Cache-Control")).contains("no-store");
  }

  @Test
  void aChunkSentAgainWithItsOffsetIsKeptOnceAndAnOverlapAddsOnlyItsNewBytes() {
    String unit = JOB + "&task=unit&offset=";
    HttpResponse<String> first = log(unit + "0", server.github, bytes("one\n"));
    // The worker's retry after a lost answer: the same chunk from the same offset.
    HttpResponse<String> again = log(unit + "0", server.github, bytes("one\n"));
    HttpResponse<String> overlap = log(unit + "2", server.github, bytes("e\ntwo\n"));
    HttpResponse<String> later = log(unit + "8", server.github, bytes("three\n"));

    assertThat(first.body()).isEqualTo("log github-jobs/8001/cpp/unit 4\n");
    assertThat(again.statusCode()).isEqualTo(200);
    assertThat(again.body()).isEqualTo("log github-jobs/8001/cpp/unit 4\n");
    assertThat(overlap.body()).isEqualTo("log github-jobs/8001/cpp/unit 8\n");
    assertThat(later.body()).isEqualTo("log github-jobs/8001/cpp/unit 14\n");
    assertThat(server.get("/live/github-jobs/8001/cpp/unit.txt").body())
        .isEqualTo("one\ntwo\nthree\n");
  }

  @Test
  void refusesABadChunkOffsetAndKeepsNothingOfIt() {
    HttpResponse<String> answer = log(JOB + "&task=unit&offset=-4", server.github, bytes("one\n"));

    assertThat(answer.statusCode()).isEqualTo(400);
    assertThat(answer.body())
        .isEqualTo(
            "offset '-4' must be the chunk's byte offset in the task's log: 0 or a positive"
                + " integer\n");
    assertThat(server.get("/live/github-jobs/8001/cpp/unit.txt").statusCode()).isEqualTo(404);
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void refusesAChunkOverTheLimitAndKeepsNothingOfIt() {
    HttpResponse<String> answer =
        log(JOB + "&task=unit", server.github, new byte[LiveLogs.MAX_CHUNK_BYTES + 1]);

    assertThat(answer.statusCode()).isEqualTo(413);
    assertThat(answer.body())
        .isEqualTo(
            "log chunk of 65537 bytes is over the limit of 65536 bytes; send the log in smaller"
                + " chunks\n");
    assertThat(server.get("/live/github-jobs/8001/cpp/unit.txt").statusCode()).isEqualTo(404);
  }

  @Test
  void refusesABadTaskNameAndAWorkerWithoutTheHostsScope() {
    HttpResponse<String> bad = log(JOB + "&task=a/b", server.github, new byte[1]);
    HttpResponse<String> forbidden = log(JOB + "&task=unit", server.sourcehut, new byte[1]);
    HttpResponse<String> anonymous =
        server.send(
            HttpRequest.newBuilder(server.uri("/log?" + JOB + "&task=unit"))
                .POST(HttpRequest.BodyPublishers.ofString("x"))
                .build());

    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(bad.body()).startsWith("task name 'a/b' must be");
    assertThat(forbidden.statusCode()).isEqualTo(403);
    assertThat(anonymous.statusCode()).isEqualTo(401);
  }

  @Test
  void answersAnUnknownLiveLogWithNotFoundOrNoContentForAScript() {
    HttpResponse<String> page = server.get("/live/github-jobs/8001/cpp/unit.txt");
    HttpResponse<String> script = server.get("/live/github-jobs/8001/cpp/unit.txt?offset=0");

    assertThat(page.statusCode()).isEqualTo(404);
    assertThat(page.body())
        .isEqualTo(
            "no live log of task 'unit' of github-jobs/8001/cpp: the task is not running (a"
                + " finished task's log is in cpp.wwz)\n");
    assertThat(script.statusCode()).isEqualTo(204);
  }

  @Test
  void refusesABadLivePathOrOffset() {
    HttpResponse<String> path = server.get("/live/github-jobs/8001/cpp");
    HttpResponse<String> offset = server.get("/live/github-jobs/8001/cpp/unit.txt?offset=-1");
    HttpResponse<String> host = server.get("/live/gitlab-jobs/8001/cpp/unit.txt");

    assertThat(path.statusCode()).isEqualTo(400);
    assertThat(path.body())
        .isEqualTo(
            "live log path '/live/github-jobs/8001/cpp' must be /live/HOST-jobs/RUN/JOB/TASK.txt,"
                + " e.g. /live/github-jobs/4101/cpp/build.txt\n");
    assertThat(offset.body())
        .isEqualTo("offset '-1' must be a byte offset: 0 or a positive integer\n");
    assertThat(host.statusCode()).isEqualTo(400);
  }

  @Test
  void theDoneEventDropsTheJobsLiveLogs() {
    log(JOB + "&task=unit", server.github, "x".getBytes(StandardCharsets.UTF_8));

    server.post("/event?eventName=done&status=0&" + JOB, server.github);

    assertThat(server.get("/live/github-jobs/8001/cpp/unit.txt").statusCode()).isEqualTo(404);
  }

  @Test
  void aLostJobsLiveLogIsKeptAfterItWasDeclaredLost() throws Exception {
    server.close();
    server = TestServer.start(dir.resolve("lease"), c -> c.withJobLease(Duration.ofSeconds(1)));
    server.post("/event?eventName=start&" + JOB, server.github);
    log(JOB + "&task=unit", server.github, "last words".getBytes(StandardCharsets.UTF_8));

    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!server.get("/github-jobs/8001/").body().contains("lost: no word")
        && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }

    assertThat(server.get("/github-jobs/8001/").body()).contains("lost: no word");
    HttpResponse<String> tail = server.get("/live/github-jobs/8001/cpp/unit.txt");
    assertThat(tail.statusCode()).isEqualTo(200);
    assertThat(tail.body()).isEqualTo("last words");
  }

  @Test
  void aRefusedDoneEventKeepsTheJobsLiveLogs() {
    server.post("/event?eventName=start&" + JOB, server.github);
    log(JOB + "&task=unit", server.github, "still running".getBytes(StandardCharsets.UTF_8));

    HttpResponse<String> cancelled =
        server.post("/event?eventName=done&status=0&cancelled=kill&" + JOB, server.github);
    HttpResponse<String> runId =
        server.post("/event?eventName=done&status=0&statusRunId=../x&" + JOB, server.github);
    HttpResponse<String> status =
        server.post("/event?eventName=done&status=256&" + JOB, server.github);

    assertThat(cancelled.statusCode()).isEqualTo(400);
    assertThat(runId.statusCode()).isEqualTo(400);
    assertThat(status.statusCode()).isEqualTo(400);
    HttpResponse<String> tail = server.get("/live/github-jobs/8001/cpp/unit.txt");
    assertThat(tail.statusCode()).isEqualTo(200);
    assertThat(tail.body()).isEqualTo("still running");
  }

  @Test
  void aRefusedStartEventLeavesTheLiveLogToTheWorkerThatStartedTheJob() throws IOException {
    String other =
        "Bearer gh2:"
            + new WorkerStore(new StateLayout(server.state), 1000)
                .add(new Worker("gh2", Set.of(Scope.GITHUB_JOBS)), false);
    server.post("/event?eventName=start&" + JOB, server.github);
    log(JOB + "&task=unit", server.github, "mine".getBytes(StandardCharsets.UTF_8));

    HttpResponse<String> refused =
        server.post("/event?eventName=start&commit-date=yesterday&" + JOB, other);

    assertThat(refused.statusCode()).isEqualTo(400);
    assertThat(server.get("/live/github-jobs/8001/cpp/unit.txt").body()).isEqualTo("mine");
    assertThat(log(JOB + "&task=unit", other, new byte[1]).statusCode()).isEqualTo(403);
    assertThat(log(JOB + "&task=unit", server.github, "!".getBytes(StandardCharsets.UTF_8)).body())
        .isEqualTo("log github-jobs/8001/cpp/unit 5\n");
  }

  @Test
  void aLateDoneEventOfALostJobIsRefusedAndKeepsItsLiveLog() throws Exception {
    server.close();
    server = TestServer.start(dir.resolve("lease"), c -> c.withJobLease(Duration.ofSeconds(1)));
    server.post("/event?eventName=start&" + JOB, server.github);
    log(JOB + "&task=unit", server.github, "last words".getBytes(StandardCharsets.UTF_8));
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!server.get("/github-jobs/8001/").body().contains("lost: no word")
        && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }

    HttpResponse<String> late = server.post("/event?eventName=done&status=0&" + JOB, server.github);

    assertThat(late.statusCode()).isEqualTo(409);
    HttpResponse<String> tail = server.get("/live/github-jobs/8001/cpp/unit.txt");
    assertThat(tail.statusCode()).isEqualTo(200);
    assertThat(tail.body()).isEqualTo("last words");
  }

  @Test
  void refusesAChunkFromAnotherWorkerThanTheOneThatStartedTheJob() throws IOException {
    String other =
        "Bearer gh2:"
            + new WorkerStore(new StateLayout(server.state), 1000)
                .add(new Worker("gh2", Set.of(Scope.GITHUB_JOBS)), false);
    server.post("/event?eventName=start&" + JOB, server.github);

    HttpResponse<String> forged =
        log(JOB + "&task=unit", other, "forged".getBytes(java.nio.charset.StandardCharsets.UTF_8));

    assertThat(forged.statusCode()).isEqualTo(403);
    assertThat(forged.body())
        .isEqualTo(
            "the live log of github-jobs/8001/cpp belongs to worker 'gh', which started the job;"
                + " worker 'gh2' may not append to it\n");
    assertThat(server.get("/live/github-jobs/8001/cpp/unit.txt").statusCode()).isEqualTo(404);
  }

  @Test
  void anotherWorkersStartCannotTakeOverARunningJobUntilItIsDone() throws IOException {
    String other =
        "Bearer gh2:"
            + new WorkerStore(new StateLayout(server.state), 1000)
                .add(new Worker("gh2", Set.of(Scope.GITHUB_JOBS)), false);
    server.post("/event?eventName=start&" + JOB, server.github);
    log(JOB + "&task=unit", server.github, "mine".getBytes(StandardCharsets.UTF_8));
    String runPage = server.get("/github-jobs/8001/").body();

    HttpResponse<String> takeover = server.post("/event?eventName=start&" + JOB, other);

    assertThat(takeover.statusCode()).isEqualTo(409);
    assertThat(takeover.body())
        .isEqualTo(
            "github-jobs/8001/cpp is running, started by worker 'gh', whose live log it is;"
                + " worker 'gh2' may not start it until its done event, or until it is declared"
                + " lost (no word from its worker for jobLeaseSeconds): publish under another run"
                + " id, or wait\n");
    assertThat(server.get("/live/github-jobs/8001/cpp/unit.txt").body()).isEqualTo("mine");
    assertThat(server.get("/github-jobs/8001/").body()).isEqualTo(runPage);
    assertThat(
            log(JOB + "&task=unit", server.github, "!".getBytes(StandardCharsets.UTF_8))
                .statusCode())
        .isEqualTo(200);
    // Its own worker may start it again (a re-run), and once done anyone with the scope may.
    assertThat(server.post("/event?eventName=start&" + JOB, server.github).statusCode())
        .isEqualTo(200);
    assertThat(server.post("/event?eventName=done&status=0&" + JOB, server.github).statusCode())
        .isEqualTo(200);
    assertThat(server.post("/event?eventName=start&" + JOB, other).statusCode()).isEqualTo(200);
  }
}
