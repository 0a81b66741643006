package io.soilci.server.events;

import static org.assertj.core.api.Assertions.assertThat;

import io.soilci.server.auth.Scope;
import io.soilci.server.testing.TestServer;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Only the worker that started a running job sends its events (the owner rule of /event). */
class EventOwnerTest {
  private static final String JOB = "&workerHost=github&runId=8001&jobName=cpp";

  @TempDir Path dir;
  private TestServer server;
  private String other;

  @BeforeEach
  void start() throws IOException {
    server = TestServer.start(dir);
    other = server.addWorker("gh2", Scope.GITHUB_JOBS);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private HttpResponse<String> event(String query, String authorization) {
    return server.post("/event?" + query, authorization);
  }

  private HttpResponse<String> log(String query, String authorization, String body) {
    return server.send(
        HttpRequest.newBuilder(server.uri("/log?" + query))
            .header("Authorization", authorization)
            .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
            .build());
  }

  private static String refused(String job, String event) {
    return job
        + " is running, started by worker 'gh', whose live log it is; worker 'gh2' may not send"
        + " its "
        + event
        + " event: only worker 'gh' may, until the job's done event or until it is declared lost"
        + " (no word from its worker for jobLeaseSeconds); send the job's events with the token"
        + " of the worker that started it\n";
  }

  @Test
  void anotherWorkersTaskStartTaskDoneAndDoneAreRefusedNamingTheOwner() throws Exception {
    event("eventName=start" + JOB, server.github);
    event("eventName=task-start&task=unit" + JOB, server.github);
    log(JOB.substring(1) + "&task=unit", server.github, "mine");
    assertThat(server.server.awaitPagesWritten(60_000)).isTrue();
    String runPage = server.get("/github-jobs/8001/").body();

    HttpResponse<String> taskStart = event("eventName=task-start&task=other" + JOB, other);
    HttpResponse<String> taskDone =
        event("eventName=task-done&task=unit&status=1&elapsed=1" + JOB, other);
    HttpResponse<String> done = event("eventName=done&status=1" + JOB, other);

    assertThat(taskStart.statusCode()).isEqualTo(409);
    assertThat(taskStart.body()).isEqualTo(refused("github-jobs/8001/cpp", "task-start"));
    assertThat(taskDone.statusCode()).isEqualTo(409);
    assertThat(taskDone.body()).isEqualTo(refused("github-jobs/8001/cpp", "task-done"));
    assertThat(done.statusCode()).isEqualTo(409);
    assertThat(done.body()).isEqualTo(refused("github-jobs/8001/cpp", "done"));
    assertThat(server.server.awaitPagesWritten(60_000)).isTrue();
    assertThat(server.get("/github-jobs/8001/").body()).isEqualTo(runPage);
    assertThat(server.get("/live/github-jobs/8001/cpp/unit.txt").body()).isEqualTo("mine");
    // Its own worker's events are taken; once it is done, another worker may start it again.
    assertThat(
            event("eventName=task-done&task=unit&status=0&elapsed=1" + JOB, server.github).body())
        .isEqualTo("task-done github-jobs/8001/cpp\n");
    assertThat(event("eventName=done&status=0" + JOB, server.github).statusCode()).isEqualTo(200);
    assertThat(event("eventName=start" + JOB, other).statusCode()).isEqualTo(200);
    assertThat(event("eventName=task-start&task=unit" + JOB, other).statusCode()).isEqualTo(200);
  }

  @Test
  void aBadEventOfAnotherWorkerIsStill400() {
    event("eventName=start" + JOB, server.github);

    HttpResponse<String> bad = event("eventName=task-done&task=unit&status=1" + JOB, other);

    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(bad.body()).isEqualTo("query parameter 'elapsed' is required\n");
  }

  @Test
  void ofTwoWorkersStartingAJobAtOnceExactlyOneWinsAndTheOtherIsToldWhoseItIs() throws Exception {
    ExecutorService two = Executors.newFixedThreadPool(2);
    try {
      for (int round = 0; round < 40; round++) {
        String job = "&workerHost=github&runId=race" + round + "&jobName=cpp";
        CyclicBarrier together = new CyclicBarrier(2);
        List<Future<HttpResponse<String>>> starts =
            List.of(
                two.submit(() -> startAt(together, job, server.github)),
                two.submit(() -> startAt(together, job, other)));
        HttpResponse<String> gh = starts.get(0).get();
        HttpResponse<String> gh2 = starts.get(1).get();

        assertThat(List.of(gh.statusCode(), gh2.statusCode()))
            .as("round %d: %s / %s", round, gh.body(), gh2.body())
            .containsExactlyInAnyOrder(200, 409);
        boolean ghWon = gh.statusCode() == 200;
        String winner = ghWon ? "gh" : "gh2";
        String loser = ghWon ? "gh2" : "gh";
        assertThat((ghWon ? gh2 : gh).body())
            .startsWith(
                "github-jobs/race"
                    + round
                    + "/cpp is running, started by worker '"
                    + winner
                    + "', whose live log it is; worker '"
                    + loser
                    + "' may not start it");
        HttpResponse<String> loserChunk =
            log(job.substring(1) + "&task=unit", ghWon ? other : server.github, "x");
        assertThat(loserChunk.statusCode()).as("round %d", round).isEqualTo(403);
        assertThat(loserChunk.body()).contains("belongs to worker '" + winner + "'");
      }
    } finally {
      two.shutdownNow();
    }
  }

  private HttpResponse<String> startAt(CyclicBarrier together, String job, String authorization)
      throws Exception {
    together.await();
    return event("eventName=start" + job, authorization);
  }
}
