package io.soilci.server.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.soilci.server.auth.Scope;
import io.soilci.server.auth.Worker;
import io.soilci.server.auth.WorkerStore;
import io.soilci.server.config.ServerConfig;
import io.soilci.server.state.StateLayout;
import io.soilci.server.storage.FolderObjectStore;
import io.soilci.server.testing.NatsProcess;
import io.soilci.server.testing.ReplicaConfig;
import io.soilci.server.testing.TestServer;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The coordinator's queue in the distributed mode: replicas of one real nats-server (and a shared
 * folder as the object store) in one JVM, each a real server on 127.0.0.1; any replica takes any
 * coordinator request, and every replica's queue is the same.
 */
class ReplicatedQueueTest {
  private static final Duration CONVERGE = Duration.ofSeconds(60);

  @TempDir Path dir;

  /** One replica and the tokens of the test's submitter and agents on it. */
  private record Replica(TestServer server, String ci, String a, String b) {}

  private Replica start(String name, NatsProcess nats) throws Exception {
    return start(name, nats, CoordinatorSettings.DEFAULTS);
  }

  private Replica start(String name, NatsProcess nats, CoordinatorSettings coordinator)
      throws Exception {
    Path bucket = Files.createDirectories(dir.resolve("bucket"));
    UnaryOperator<ServerConfig> distributed =
        c ->
            c.withCoordinator(coordinator)
                .withDistributed(Optional.of(ReplicaConfig.of(name, nats).settings()));
    TestServer server =
        TestServer.start(dir.resolve(name), distributed, s -> new FolderObjectStore(bucket));
    WorkerStore workers = new WorkerStore(new StateLayout(server.state), 1000);
    return new Replica(
        server,
        "Bearer ci:" + workers.add(new Worker("ci", Set.of(Scope.SUBMIT)), true),
        "Bearer a:" + workers.add(new Worker("a", Set.of(Scope.AGENT, Scope.GITHUB_JOBS)), true),
        "Bearer b:" + workers.add(new Worker("b", Set.of(Scope.AGENT, Scope.GITHUB_JOBS)), true));
  }

  private static long submit(Replica at, String job) throws Exception {
    HttpResponse<String> answer =
        at.server()
            .send(
                HttpRequest.newBuilder(at.server().uri("/coordinator/submit"))
                    .header("Authorization", at.ci())
                    .POST(
                        HttpRequest.BodyPublishers.ofString(
                            "{\"commit\":\""
                                + "a".repeat(40)
                                + "\",\"repository\":\"/repo\",\"jobs\":[{\"name\":\""
                                + job
                                + "\",\"tasks\":\"t ./t.sh x -\\n\"}]}"))
                    .build());
    assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
    return QueueLog.JSON.readTree(answer.body()).path("jobs").get(0).path("id").asLong();
  }

  private static CompletableFuture<HttpResponse<String>> poll(Replica at, String token, int wait) {
    return at.server()
        .client()
        .sendAsync(
            HttpRequest.newBuilder(at.server().uri("/coordinator/poll?wait=" + wait))
                .header("Authorization", token)
                .POST(HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.ofString());
  }

  private static JsonNode ok(HttpResponse<String> answer) throws Exception {
    assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
    return QueueLog.JSON.readTree(answer.body());
  }

  /** Waits until every replica shows the same jobs and agents; returns the first's jobs. */
  private static String awaitSameQueue(Replica... replicas) throws Exception {
    long deadline = System.nanoTime() + CONVERGE.toNanos();
    while (true) {
      List<String> views = new ArrayList<>();
      for (Replica r : replicas) {
        views.add(
            r.server().get("/coordinator/jobs.json").body()
                + r.server().get("/coordinator/agents.json").body());
      }
      if (views.stream().distinct().count() == 1 || System.nanoTime() > deadline) {
        for (String view : views) {
          assertThat(view)
              .as("every replica's /coordinator/jobs.json and agents.json")
              .isEqualTo(views.get(0));
        }
        return replicas[0].server().get("/coordinator/jobs.json").body();
      }
      Thread.sleep(50);
    }
  }

  @Test
  void aJobSubmittedOnOneReplicaIsTakenOnAnotherReportedOnTheOthersAndEveryQueueIsTheSame()
      throws Exception {
    try (NatsProcess nats = NatsProcess.start(dir.resolve("nats"))) {
      Replica r1 = start("r1", nats);
      Replica r2 = start("r2", nats);
      Replica r3 = start("r3", nats);
      try {
        // Agent a waits at r2 before anything is queued: r2 applies r1's submit and hands it out.
        CompletableFuture<HttpResponse<String>> polled = poll(r2, r2.a(), 20);
        Thread.sleep(200);
        long id = submit(r1, "unit");
        JsonNode job = ok(polled.get());
        assertThat(job.path("id").asLong()).isEqualTo(id);
        assertThat(job.path("attempt").asInt()).isEqualTo(1);

        JsonNode beat = ok(r1.server().post("/coordinator/heartbeat?job=" + id, r1.a()));
        assertThat(beat.path("cancel").asBoolean()).isFalse();
        ok(r3.server().post("/coordinator/outcome?job=" + id + "&outcome=passed&status=0", r3.a()));

        String jobs = awaitSameQueue(r1, r2, r3);
        JsonNode view = QueueLog.JSON.readTree(jobs).path("jobs").get(0);
        assertThat(view.path("state").asText()).as(jobs).isEqualTo("passed");
        assertThat(view.path("agent").asText()).isEqualTo("a");

        // A second submit through another replica gets the next id: none collide.
        long second = submit(r3, "lint");
        assertThat(second).isEqualTo(id + 1);
        awaitSameQueue(r1, r2, r3);

        // A replica restarted rebuilds the same queue from the stream.
        r2.server().close();
        r2 = start("r2", nats);
        assertThat(awaitSameQueue(r1, r2, r3)).contains("\"lint\"").contains("\"passed\"");
      } finally {
        r3.server().close();
        r2.server().close();
        r1.server().close();
      }
    }
  }

  @Test
  void twoAgentsPollingTwoReplicasForOneJobExactlyOneGetsIt() throws Exception {
    try (NatsProcess nats = NatsProcess.start(dir.resolve("nats"))) {
      Replica r1 = start("r1", nats);
      Replica r2 = start("r2", nats);
      Replica r3 = start("r3", nats);
      try {
        for (int round = 0; round < 3; round++) {
          CompletableFuture<HttpResponse<String>> a = poll(r1, r1.a(), 5);
          CompletableFuture<HttpResponse<String>> b = poll(r2, r2.b(), 5);
          Thread.sleep(200);
          long id = submit(r3, "job-" + round);
          List<HttpResponse<String>> answers = List.of(a.get(), b.get());
          List<HttpResponse<String>> given =
              answers.stream().filter(r -> r.statusCode() == 200).toList();
          assertThat(given).as("agents given job " + id + ": " + answers).hasSize(1);
          assertThat(answers.stream().filter(r -> r.statusCode() == 204)).hasSize(1);
          long got = QueueLog.JSON.readTree(given.get(0).body()).path("id").asLong();
          assertThat(got).isEqualTo(id);
          String winner = given.get(0) == answers.get(0) ? "a" : "b";
          String jobs = awaitSameQueue(r1, r2, r3);
          JsonNode view = QueueLog.JSON.readTree(jobs).path("jobs").get(0);
          assertThat(view.path("agent").asText()).as(jobs).isEqualTo(winner);
          assertThat(view.path("attempts").asInt()).isEqualTo(1);
          Replica at = winner.equals("a") ? r1 : r2;
          ok(
              at.server()
                  .post(
                      "/coordinator/outcome?job=" + id + "&outcome=passed&status=0",
                      winner.equals("a") ? at.a() : at.b()));
        }
      } finally {
        r3.server().close();
        r2.server().close();
        r1.server().close();
      }
    }
  }

  @Test
  void aLeaseThatRanOutEndsOnTheRoleHolderAndEveryReplicaSeesTheSameEnd() throws Exception {
    CoordinatorSettings shortLease =
        new CoordinatorSettings(100, 100, Duration.ofSeconds(2), 3, 100);
    try (NatsProcess nats = NatsProcess.start(dir.resolve("nats"))) {
      Replica r1 = start("r1", nats, shortLease);
      Replica r2 = start("r2", nats, shortLease);
      try {
        CompletableFuture<HttpResponse<String>> polled = poll(r1, r1.a(), 20);
        Thread.sleep(200);
        long id = submit(r2, "unit");
        assertThat(ok(polled.get()).path("id").asLong()).isEqualTo(id);

        // No heartbeat: whichever replica holds the site role ends the lease; both show it.
        long deadline = System.nanoTime() + CONVERGE.toNanos();
        JsonNode view;
        do {
          Thread.sleep(100);
          view =
              QueueLog.JSON.readTree(r2.server().get("/coordinator/jobs/" + id + ".json").body());
        } while (!view.path("state").asText().equals("queued") && System.nanoTime() < deadline);
        assertThat(view.path("reason").asText())
            .as(view.toString())
            .startsWith("no heartbeat from agent 'a' since ")
            .endsWith("(lease 2 s), attempt 1 of 3");
        awaitSameQueue(r1, r2);

        HttpResponse<String> late = r1.server().post("/coordinator/heartbeat?job=" + id, r1.a());
        assertThat(late.statusCode()).as(late.body()).isEqualTo(409);
        assertThat(late.body()).contains("agent 'a' lost its lease on job " + id);
        JsonNode again = ok(poll(r2, r2.b(), 20).get());
        assertThat(again.path("id").asLong()).isEqualTo(id);
        assertThat(again.path("attempt").asInt()).isEqualTo(2);
      } finally {
        r2.server().close();
        r1.server().close();
      }
    }
  }

  @Test
  void theRoleHolderSnapshotsTheQueueAndAReplicaStartedAfterItHasTheSameQueue() throws Exception {
    try (NatsProcess nats = NatsProcess.start(dir.resolve("nats"))) {
      Replica r1 = start("r1", nats);
      Replica r2 = start("r2", nats);
      Replica r3 = null;
      try {
        CompletableFuture<HttpResponse<String>> polled = poll(r1, r1.a(), 20);
        Thread.sleep(200);
        long id = submit(r2, "unit");
        assertThat(ok(polled.get()).path("id").asLong()).isEqualTo(id);
        submit(r1, "waits");
        // Each heartbeat is a message: past 1000 of them the site role's holder snapshots.
        for (int i = 0; i < 1100; i++) {
          ok(
              (i % 2 == 0 ? r1 : r2)
                  .server()
                  .post("/coordinator/heartbeat?job=" + id, (i % 2 == 0 ? r1 : r2).a()));
        }
        // The holder snapshots on its tick once 1000 messages came since the last snapshot: the
        // rollup leaves the snapshot and what came after it, the heartbeats still arriving while
        // it was taken (up to the last 100 or so), never the 1000 before it.
        long deadline = System.nanoTime() + CONVERGE.toNanos();
        long messages;
        do {
          Thread.sleep(200);
          messages = queueMessages(nats);
        } while (messages > 200 && System.nanoTime() < deadline);
        assertThat(messages)
            .as("messages in the queue's stream after the snapshot (1100 heartbeats were sent)")
            .isLessThanOrEqualTo(200);

        r3 = start("r3", nats);
        String jobs = awaitSameQueue(r1, r2, r3);
        assertThat(jobs).contains("\"waits\"").contains("\"running\"");
        // The snapshot kept each job's rev: a heartbeat through the new replica applies.
        ok(r3.server().post("/coordinator/heartbeat?job=" + id, r3.a()));
        assertThat(submit(r3, "after")).isEqualTo(id + 2);
        awaitSameQueue(r1, r2, r3);
      } finally {
        if (r3 != null) {
          r3.server().close();
        }
        r2.server().close();
        r1.server().close();
      }
    }
  }

  /**
   * A queue whose snapshot is over what one NATS message holds (1 MiB by default): the snapshot
   * goes to the object store and the stream is rolled up all the same; a replica started after it
   * loads it from there.
   */
  @Test
  void aQueueWhoseSnapshotIsOverAMegabyteIsSnapshottedAndAReplicaStartedAfterItHasIt()
      throws Exception {
    try (NatsProcess nats = NatsProcess.start(dir.resolve("nats"))) {
      Replica r1 = start("r1", nats);
      Replica r2 = start("r2", nats);
      Replica r3 = null;
      try {
        // 400 queued jobs with task lists of ~3.2 KB: a snapshot of ~1.5 MB, in submits of ~370 KB.
        for (int s = 0; s < 4; s++) {
          submitMany(s % 2 == 0 ? r1 : r2, "big-" + s, 100);
        }
        JsonNode first = ok(poll(r1, r1.a(), 20).get());
        long id = first.path("id").asLong();
        for (int i = 0; i < 1100; i++) {
          Replica at = i % 2 == 0 ? r1 : r2;
          ok(at.server().post("/coordinator/heartbeat?job=" + id, at.a()));
        }
        long deadline = System.nanoTime() + CONVERGE.toNanos();
        long messages;
        do {
          Thread.sleep(200);
          messages = queueMessages(nats);
        } while (messages > 200 && System.nanoTime() < deadline);
        assertThat(messages)
            .as("messages in the queue's stream after a snapshot over 1 MB (1104 were sent)")
            .isLessThanOrEqualTo(200);
        try (io.nats.client.Connection c = io.nats.client.Nats.connect(nats.url())) {
          List<io.nats.client.api.ObjectInfo> stored =
              c.objectStore("soil-queue-snapshots").getList().stream()
                  .filter(o -> !o.isDeleted())
                  .toList();
          assertThat(stored).as("the snapshots in the object store").hasSize(1);
          assertThat(stored.get(0).getSize()).isGreaterThan(1_000_000);
        }

        r3 = start("r3", nats);
        String jobs = awaitSameQueue(r1, r2, r3);
        assertThat(jobs).contains("\"big-3-99\"").contains("\"running\"");
        ok(r3.server().post("/coordinator/heartbeat?job=" + id, r3.a()));
        assertThat(submit(r3, "after")).isEqualTo(401);
        awaitSameQueue(r1, r2, r3);
      } finally {
        if (r3 != null) {
          r3.server().close();
        }
        r2.server().close();
        r1.server().close();
      }
    }
  }

  /** Submits {@code count} jobs named {@code prefix-N}, each with a task list of ~3.2 KB. */
  private static void submitMany(Replica at, String prefix, int count) throws Exception {
    HttpResponse<String> answer = sendMany(at, prefix, count);
    assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
  }

  private static HttpResponse<String> sendMany(Replica at, String prefix, int count)
      throws Exception {
    StringBuilder tasks = new StringBuilder();
    for (int t = 0; t < 150; t++) {
      tasks.append(String.format("task-%04d ./t.sh x -\\n", t));
    }
    StringBuilder jobs = new StringBuilder();
    for (int j = 0; j < count; j++) {
      jobs.append(j == 0 ? "" : ",")
          .append("{\"name\":\"")
          .append(prefix)
          .append('-')
          .append(j)
          .append("\",\"tasks\":\"")
          .append(tasks)
          .append("\"}");
    }
    return at.server()
        .send(
            HttpRequest.newBuilder(at.server().uri("/coordinator/submit"))
                .header("Authorization", at.ci())
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "{\"commit\":\""
                            + "a".repeat(40)
                            + "\",\"repository\":\"/repo\",\"jobs\":["
                            + jobs
                            + "]}"))
                .build());
  }

  @Test
  void aSubmitTooLargeForOneMessageOfTheQueuesStreamIsRefusedWith413AndQueuesNothing()
      throws Exception {
    try (NatsProcess nats = NatsProcess.start(dir.resolve("nats"))) {
      Replica r1 = start("r1", nats);
      Replica r2 = start("r2", nats);
      try {
        // 400 jobs with task lists of ~3.2 KB: one proposal of ~1.5 MB, over nats-server's 1 MiB.
        HttpResponse<String> answer = sendMany(r1, "huge", 400);
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(413);
        assertThat(answer.body()).contains("max_payload").contains("submit fewer or smaller jobs");
        assertThat(submit(r2, "after")).isEqualTo(1);
        assertThat(awaitSameQueue(r1, r2)).doesNotContain("huge-");
      } finally {
        r2.server().close();
        r1.server().close();
      }
    }
  }

  @Test
  void aSigkilledNatsServerLosesNoAcknowledgedQueueChange() throws Exception {
    try (NatsProcess nats = NatsProcess.start(dir.resolve("nats"))) {
      Replica r1 = start("r1", nats);
      Replica r2 = start("r2", nats);
      try {
        CompletableFuture<HttpResponse<String>> polled = poll(r1, r1.a(), 20);
        Thread.sleep(200);
        long id = submit(r2, "unit");
        assertThat(ok(polled.get()).path("id").asLong()).isEqualTo(id);
        long waits = submit(r1, "waits");

        nats.kill();
        HttpResponse<String> refused = r2.server().post("/coordinator/heartbeat?job=" + id, r2.a());
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(503);
        assertThat(refused.body()).contains("send it again");
        nats.start();

        // Back on its store: what was acknowledged is there, and the replicas go on from it.
        long deadline = System.nanoTime() + CONVERGE.toNanos();
        HttpResponse<String> beat;
        do {
          Thread.sleep(200);
          beat = r2.server().post("/coordinator/heartbeat?job=" + id, r2.a());
        } while (beat.statusCode() == 503 && System.nanoTime() < deadline);
        ok(beat);
        assertThat(submit(r2, "after")).isEqualTo(waits + 1);
        String jobs = awaitSameQueue(r1, r2);
        assertThat(jobs).contains("\"waits\"").contains("\"after\"").contains("\"running\"");
      } finally {
        r2.server().close();
        r1.server().close();
      }
    }
  }

  private static long queueMessages(NatsProcess nats) throws Exception {
    try (io.nats.client.Connection c = io.nats.client.Nats.connect(nats.url())) {
      return c.jetStreamManagement()
          .getStreamInfo(io.soilci.server.cluster.QueueStream.STREAM)
          .getStreamState()
          .getMsgCount();
    }
  }
}
