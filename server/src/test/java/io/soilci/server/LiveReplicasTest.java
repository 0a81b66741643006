package io.soilci.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.api.MessageInfo;
import io.soilci.server.storage.FolderObjectStore;
import io.soilci.server.testing.EventStream;
import io.soilci.server.testing.NatsProcess;
import io.soilci.server.testing.ReplicaConfig;
import io.soilci.server.testing.TestServer;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Live logs across replicas of the distributed mode (in one JVM, a real nats-server): whichever
 * replica gets each chunk of a task's log, every replica serves the whole tail in order and tells
 * its event streams; a replica started mid-job gets the chunks sent before it started.
 */
class LiveReplicasTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String JOB = "workerHost=github&runId=8001&jobName=cpp";
  private static final String TAIL = "/live/github-jobs/8001/cpp/unit.txt";
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  private TestServer replica(String name, NatsProcess nats) throws Exception {
    Path bucket = Files.createDirectories(dir.resolve("bucket"));
    return TestServer.start(
        dir.resolve(name),
        ReplicaConfig.of(name, nats).config(),
        s -> new FolderObjectStore(bucket));
  }

  @Test
  void chunksSentAlternatelyToTwoReplicasAreWholeAndInOrderOnAThirdStartedMidJob()
      throws Exception {
    try (NatsProcess nats = NatsProcess.start(dir.resolve("nats"));
        TestServer r1 = replica("r1", nats);
        TestServer r2 = replica("r2", nats)) {
      ok(event(r1, "start"));
      StringBuilder sent = new StringBuilder();
      for (int i = 1; i <= 4; i++) {
        String chunk = "line " + i + "\n";
        sent.append(chunk);
        assertThat(log(i % 2 == 1 ? r1 : r2, chunk).body())
            .as("the answer names the task's end, whichever replica took the chunk")
            .isEqualTo("log github-jobs/8001/cpp/unit " + sent.length() + "\n");
      }
      try (TestServer r3 = replica("r3", nats)) {
        for (int i = 5; i <= 8; i++) {
          String chunk = "line " + i + "\n";
          sent.append(chunk);
          ok(log(i % 2 == 1 ? r2 : r1, chunk));
        }
        for (TestServer server : new TestServer[] {r1, r2, r3}) {
          HttpResponse<String> tail = awaitTail(server, sent.toString());
          assertThat(tail.body()).as("the tail on " + server.site).isEqualTo(sent.toString());
          assertThat(tail.headers().firstValue("X-Soil-Log-Start")).contains("0");
          assertThat(tail.headers().firstValue("X-Soil-Log-End"))
              .contains(Integer.toString(sent.length()));
        }
        // The job's done event, at any replica, ends its tails everywhere.
        ok(event(r2, "done&status=0"));
        for (TestServer server : new TestServer[] {r1, r2, r3}) {
          assertThat(awaitStatus(server, TAIL, 404))
              .as("the tail on " + server.site)
              .isEqualTo(404);
        }
      }
    }
  }

  /**
   * A chunk sent again (the worker's retry after a lost answer, or nginx's to the next replica)
   * says where it begins: whichever replica takes it again, every replica keeps it once, and a
   * message of the live stream delivered twice changes nothing either.
   */
  @Test
  void aChunkSentAgainToEitherReplicaIsKeptOnceOnEveryReplica() throws Exception {
    try (NatsProcess nats = NatsProcess.start(dir.resolve("nats"));
        TestServer r1 = replica("r1", nats);
        TestServer r2 = replica("r2", nats)) {
      ok(event(r1, "start"));
      assertThat(logAt(r1, 0, "line 1\n").body()).isEqualTo("log github-jobs/8001/cpp/unit 7\n");
      assertThat(logAt(r2, 0, "line 1\n").body()).isEqualTo("log github-jobs/8001/cpp/unit 7\n");
      assertThat(logAt(r1, 0, "line 1\n").body()).isEqualTo("log github-jobs/8001/cpp/unit 7\n");
      // Overlapping: only its new bytes.
      ok(logAt(r2, 5, "1\nline 2\n"));
      ok(logAt(r1, 14, "line 3\n"));
      String whole = "line 1\nline 2\nline 3\n";

      // The job's last message once more on the stream, as a second delivery would bring it.
      try (Connection connection = Nats.connect(nats.url())) {
        String subject =
            "soil.live."
                + Base64.getUrlEncoder()
                    .withoutPadding()
                    .encodeToString("github-jobs/8001/cpp".getBytes(StandardCharsets.UTF_8));
        MessageInfo last = connection.jetStreamManagement().getLastMessage("SOIL_LIVE", subject);
        connection.jetStream().publish(subject, last.getData());
      }
      ok(logAt(r2, 21, "line 4\n"));
      whole += "line 4\n";

      try (TestServer r3 = replica("r3", nats)) {
        for (TestServer server : new TestServer[] {r1, r2, r3}) {
          HttpResponse<String> tail = awaitTail(server, whole);
          assertThat(tail.body()).as("the tail on " + server.site).isEqualTo(whole);
          assertThat(tail.headers().firstValue("X-Soil-Log-End"))
              .contains(Integer.toString(whole.length()));
        }
      }
    }
  }

  @Test
  void aViewerOfOneReplicasEventsSeesTheChunksAndTheEndSentToTheOther() throws Exception {
    try (NatsProcess nats = NatsProcess.start(dir.resolve("nats"));
        TestServer r1 = replica("r1", nats);
        TestServer r2 = replica("r2", nats)) {
      ok(event(r1, "start"));
      try (EventStream stream =
          EventStream.open(r2.uri("/live/events?tail=github-jobs/8001/cpp/unit@0"), Map.of())) {
        assertThat(stream.status).isEqualTo(200);
        ok(log(r1, "one\ntwo\n"));
        EventStream.Event lines = stream.next(WAIT);
        assertThat(lines.name()).isEqualTo("log");
        assertThat(data(lines).get("text").asText()).isEqualTo("one\ntwo\n");
        assertThat(lines.id()).isEqualTo("8");

        ok(event(r1, "task-done&task=unit&status=1&elapsed=2.5"));
        EventStream.Event end = stream.next(WAIT);
        assertThat(end.name()).isEqualTo("end");
        assertThat(data(end).get("status").asInt()).isEqualTo(1);
      }
    }
  }

  private static JsonNode data(EventStream.Event event) throws Exception {
    return JSON.readTree(event.data());
  }

  private static HttpResponse<String> log(TestServer server, String text) {
    return server.send(
        HttpRequest.newBuilder(server.uri("/log?" + JOB + "&task=unit"))
            .header("Authorization", server.github)
            .POST(HttpRequest.BodyPublishers.ofString(text, StandardCharsets.UTF_8))
            .build());
  }

  private static HttpResponse<String> logAt(TestServer server, long offset, String text) {
    return server.send(
        HttpRequest.newBuilder(server.uri("/log?" + JOB + "&task=unit&offset=" + offset))
            .header("Authorization", server.github)
            .POST(HttpRequest.BodyPublishers.ofString(text, StandardCharsets.UTF_8))
            .build());
  }

  private static HttpResponse<String> event(TestServer server, String nameAndParameters) {
    return server.post("/event?eventName=" + nameAndParameters + "&" + JOB, server.github);
  }

  private static void ok(HttpResponse<String> answer) {
    assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
  }

  /** The replica's tail once it is {@code whole} (or the last one read, after {@link #WAIT}). */
  private static HttpResponse<String> awaitTail(TestServer server, String whole) throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    HttpResponse<String> tail;
    do {
      tail = server.get(TAIL);
      if (tail.statusCode() == 200 && tail.body().equals(whole)) {
        return tail;
      }
      Thread.sleep(50);
    } while (System.nanoTime() < deadline);
    return tail;
  }

  private static int awaitStatus(TestServer server, String path, int status) throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    int got;
    do {
      got = server.get(path).statusCode();
      if (got == status) {
        return got;
      }
      Thread.sleep(50);
    } while (System.nanoTime() < deadline);
    return got;
  }
}
