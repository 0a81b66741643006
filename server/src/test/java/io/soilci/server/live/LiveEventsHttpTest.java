package io.soilci.server.live;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.soilci.server.config.LiveLimits;
import io.soilci.server.testing.EventStream;
import io.soilci.server.testing.TestServer;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code GET /live/events} against a real server: live log lines and page changes as events. */
class LiveEventsHttpTest {
  private static final String JOB = "workerHost=github&runId=8001&jobName=cpp";
  private static final String TAIL = "/live/events?tail=github-jobs/8001/cpp/unit";
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;
  private TestServer server;

  @BeforeEach
  void start() throws IOException {
    server = TestServer.start(dir, c -> c.withLive(new LiveLimits(3, 2, 1)));
    event("start");
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private void log(String text) {
    var answer =
        server.send(
            HttpRequest.newBuilder(server.uri("/log?" + JOB + "&task=unit"))
                .header("Authorization", server.github)
                .POST(HttpRequest.BodyPublishers.ofString(text, StandardCharsets.UTF_8))
                .build());
    assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
  }

  private void event(String nameAndParameters) {
    var answer = server.post("/event?eventName=" + nameAndParameters + "&" + JOB, server.github);
    assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
  }

  private EventStream open(String pathAndQuery) throws IOException {
    return EventStream.open(server.uri(pathAndQuery), Map.of());
  }

  private static JsonNode data(EventStream.Event event) throws IOException {
    return JSON.readTree(event.data());
  }

  @Test
  void sendsWholeLinesAsTheyArriveAndEndsWithTheTask() throws Exception {
    log("one\ntwo\npart");

    try (EventStream stream = open(TAIL + "@0")) {
      assertThat(stream.status).isEqualTo(200);
      assertThat(stream.headers.get("Content-Type")).startsWith("text/event-stream");
      assertThat(stream.headers.get("X-Accel-Buffering")).isEqualTo("no");
      assertThat(stream.headers.get("Cache-Control")).isEqualTo("no-store");
      EventStream.Event first = stream.next(WAIT);
      assertThat(first.name()).isEqualTo("log");
      assertThat(first.id()).isEqualTo("8");
      assertThat(data(first).get("text").asText()).isEqualTo("one\ntwo\n");
      assertThat(data(first).get("line").asLong()).isEqualTo(1);
      assertThat(data(first).get("tail").asText()).isEqualTo("github-jobs/8001/cpp/unit");

      log("ial\nthree\nlast");
      EventStream.Event second = stream.next(WAIT);
      assertThat(data(second).get("text").asText()).isEqualTo("partial\nthree\n");
      assertThat(data(second).get("line").asLong()).isEqualTo(3);
      assertThat(second.id()).isEqualTo("22");

      event("task-done&task=unit&status=1&elapsed=2.5");
      EventStream.Event rest = stream.next(WAIT);
      assertThat(data(rest).get("text").asText()).isEqualTo("last");
      assertThat(rest.id()).isEqualTo("26");
      EventStream.Event end = stream.next(WAIT);
      assertThat(end.name()).isEqualTo("end");
      assertThat(data(end).get("status").asInt()).isEqualTo(1);
      assertThat(stream.next(WAIT)).isEqualTo(EventStream.CLOSED);
    }
  }

  @Test
  void resumesExactlyAfterTheLastEventId() throws Exception {
    log("one\ntwo\nthree\n");

    try (EventStream stream =
        EventStream.open(server.uri(TAIL + "@0"), Map.of("Last-Event-ID", "4"))) {
      EventStream.Event first = stream.next(WAIT);

      assertThat(data(first).get("text").asText()).isEqualTo("two\nthree\n");
      assertThat(data(first).get("line").asLong()).isEqualTo(2);
      assertThat(first.id()).isEqualTo("14");
    }
  }

  @Test
  void aStreamOpenedAfterTheTaskEndedGetsTheRestAndTheEnd() throws Exception {
    log("one\n");
    event("task-done&task=unit&status=0&elapsed=1");

    try (EventStream stream = open(TAIL + "@0")) {
      assertThat(data(stream.next(WAIT)).get("text").asText()).isEqualTo("one\n");
      assertThat(data(stream.next(WAIT)).get("status").asInt()).isZero();
      assertThat(stream.next(WAIT)).isEqualTo(EventStream.CLOSED);
    }
  }

  @Test
  void theJobsDoneEventEndsItsTasksWithTheJobsStatus() throws Exception {
    try (EventStream stream = open(TAIL + "@0")) {
      log("one\n");
      assertThat(data(stream.next(WAIT)).get("text").asText()).isEqualTo("one\n");

      event("done&status=2");

      EventStream.Event end = stream.next(WAIT);
      assertThat(end.name()).isEqualTo("end");
      assertThat(data(end).get("status").asInt()).isEqualTo(2);
      assertThat(stream.next(WAIT)).isEqualTo(EventStream.CLOSED);
    }
  }

  @Test
  void linesComeAsTheLogViewsHtmlWhenAsked() throws Exception {
    log("\u001b[31mred\u001b[0m <b>\n");

    try (EventStream stream = open(TAIL + "@0&format=html")) {
      String html = data(stream.next(WAIT)).get("html").asText();

      assertThat(html)
          .startsWith("<div id=\"L1\"><a class=\"n\" href=\"#L1\" data-n=\"1\"></a>")
          .contains("red</span>")
          .contains("&lt;b&gt;")
          .doesNotContain("\u001b");
    }
  }

  @Test
  void tellsAPageWasWritten() throws Exception {
    log("one\n");
    try (EventStream stream = open(TAIL + "@0&page=github-jobs/8001/index.html")) {
      // Undertow registers a stream on its IO thread after the headers are out: the tail's first
      // lines are sent once it is, so only a change after them is sure to be seen.
      assertThat(stream.next(WAIT).name()).isEqualTo("log");
      event("task-start&task=unit");

      EventStream.Event changed = stream.next(WAIT);
      assertThat(changed.name()).isEqualTo("page");
      assertThat(data(changed).get("page").asText()).isEqualTo("github-jobs/8001/index.html");
    }
  }

  @Test
  void aPageChangedBeforeItsStreamWasRegisteredIsToldAtOnce() throws Exception {
    String page = "github-jobs/8001/index.html";
    var shown = server.get("/" + page);
    assertThat(shown.statusCode()).isEqualTo(200);
    long modified =
        java.time.ZonedDateTime.parse(
                shown.headers().firstValue("Last-Modified").orElseThrow(),
                java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME)
            .toInstant()
            .toEpochMilli();

    // The client shows a copy older than the file: it hears of the change without any new write.
    try (EventStream stale = open("/live/events?page=" + page + "&seen=" + (modified - 5000))) {
      EventStream.Event changed = stale.next(WAIT);
      assertThat(changed.name()).isEqualTo("page");
      assertThat(data(changed).get("page").asText()).isEqualTo(page);
    }
    // A copy newer than the file: nothing until the page is written again.
    try (EventStream current = open("/live/events?page=" + page + "&seen=" + (modified + 5000))) {
      assertThat(current.quietFor(Duration.ofMillis(1500))).isTrue();
      event("task-start&task=unit");
      assertThat(current.next(WAIT).name()).isEqualTo("page");
    }
  }

  @Test
  void sendsAHeartbeatCommentSoProxiesKeepTheStreamOpen() throws Exception {
    try (EventStream stream = open("/live/events?page=github-jobs/8001/index.html")) {
      assertThat(stream.quietFor(Duration.ofMillis(2500))).as("comments are no events").isTrue();
      assertThat(stream.heartbeats()).isGreaterThanOrEqualTo(1);
    }
  }

  @Test
  void refusesStreamsPastTheCapsWith503AndRetryAfter() throws Exception {
    try (EventStream a = open(TAIL);
        EventStream b = open(TAIL)) {
      assertThat(a.status).isEqualTo(200);
      assertThat(b.status).isEqualTo(200);

      EventStream third = open(TAIL);

      assertThat(third.status).isEqualTo(503);
      assertThat(third.headers.get("Retry-After")).isEqualTo("10");
      assertThat(third.body)
          .isEqualTo(
              "address '127.0.0.1' already has 2 live streams open (config"
                  + " live.maxStreamsPerAddress 2); close a tab that follows a live log, or retry"
                  + " in 10 seconds\n");
    }
    // Closed streams give their places back, once the next heartbeat finds them closed.
    int status = 0;
    for (int i = 0; i < 50 && status != 200; i++) {
      Thread.sleep(100);
      try (EventStream again = open(TAIL)) {
        status = again.status;
      }
    }
    assertThat(status).isEqualTo(200);
  }

  @Test
  void refusesBadRequestsWithThePreciseRule() throws Exception {
    assertThat(open("/live/events").body)
        .isEqualTo(
            "a live stream needs something to follow: tail=HOST-jobs/RUN/JOB/TASK or page=PATH,"
                + " e.g. /live/events?page=github-jobs/4101/index.html\n");
    assertThat(open("/live/events?tail=github-jobs/1/cpp").body)
        .isEqualTo(
            "tail 'github-jobs/1/cpp' must be HOST-jobs/RUN/JOB/TASK with an optional @OFFSET,"
                + " e.g. github-jobs/4101/cpp/build@0\n");
    assertThat(open("/live/events?page=../x.html").body)
        .startsWith("page '../x.html' must be a page of the site");
    assertThat(open(TAIL + "&format=xml").body).isEqualTo("format 'xml' must be text or html\n");
    assertThat(open("/live/events?page=index.html&seen=yesterday").body)
        .startsWith("seen 'yesterday' must be the Last-Modified time of the page=PATH");
    assertThat(open(TAIL + "&seen=1").body).startsWith("seen '1' must be the Last-Modified time");
    EventStream badId = EventStream.open(server.uri(TAIL), Map.of("Last-Event-ID", "x"));
    assertThat(badId.status).isEqualTo(400);
    assertThat(badId.body)
        .isEqualTo(
            "Last-Event-ID 'x' must be 1 byte offsets separated by commas, one per tail, as the"
                + " stream's events set it\n");
  }
}
