package io.soilci.worker.publish;

import static org.assertj.core.api.Assertions.assertThat;

import io.soilci.result.JobName;
import io.soilci.result.JobRef;
import io.soilci.result.RunId;
import io.soilci.result.TaskName;
import io.soilci.result.TaskRow;
import io.soilci.result.WorkerHost;
import io.soilci.worker.LoopbackHttp;
import io.soilci.worker.LoopbackHttp.Reply;
import java.io.StringWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogStreamTest {
  private static final JobRef JOB =
      new JobRef(WorkerHost.GITHUB, new RunId("41"), new JobName("cpp"));
  private static final TaskName UNIT = new TaskName("unit");

  @TempDir Path checkout;

  private Path log() throws Exception {
    return Files.createDirectories(checkout.resolve("_tmp/soil/logs")).resolve("unit.txt");
  }

  private static TaskRow done() {
    return new TaskRow(0, 1, UNIT, "sh", "-", "-");
  }

  /** This test's job's live log from {@code checkout}, to {@code server} every {@code interval}. */
  private LogStream stream(SoilServer server, Duration interval) {
    return new LogStream(server, JOB, checkout, interval);
  }

  /** As {@link #stream(SoilServer, Duration)}, to the server at {@code base}, warnings dropped. */
  private LogStream stream(URI base, Duration interval) {
    return stream(SoilServers.at(base), interval);
  }

  /** Waits (at most 5 s) until {@code http} has taken {@code count} requests. */
  private static void awaitRequests(LoopbackHttp http, int count) throws InterruptedException {
    for (int i = 0; i < 100 && http.requests().size() < count; i++) {
      Thread.sleep(50);
    }
  }

  /** All the live log {@code http} took, in the order it came. */
  private static String bodies(LoopbackHttp http) {
    return String.join("", http.requests().stream().map(LoopbackHttp.Request::bodyText).toList());
  }

  @Test
  void sendsTheRunningTasksLogAsItGrowsAndTheRestWhenItEnds() throws Exception {
    Path log = log();
    try (LoopbackHttp http = new LoopbackHttp(r -> Reply.of(200, ""))) {
      LogStream stream = stream(http.uri(), Duration.ofMillis(100));

      stream.taskStarted(UNIT);
      Files.writeString(log, "one\n");
      awaitRequests(http, 1);
      Files.writeString(log, "two <b>\n", StandardOpenOption.APPEND);
      stream.taskFinished(done());

      assertThat(http.requests())
          .extracting(LoopbackHttp.Request::pathAndQuery)
          .containsExactly(
              "/log?workerHost=github&runId=41&jobName=cpp&task=unit&offset=0",
              "/log?workerHost=github&runId=41&jobName=cpp&task=unit&offset=4");
      assertThat(bodies(http)).isEqualTo("one\ntwo <b>\n");
    }
  }

  @Test
  void aChunkWhoseAnswerWasLostIsSentAgainFromItsOffset() throws Exception {
    Path log = log();
    AtomicInteger answered = new AtomicInteger();
    // The first send fails as when the server's answer is lost: the chunk is sent again.
    try (LoopbackHttp http =
        new LoopbackHttp(r -> Reply.of(answered.getAndIncrement() == 0 ? 502 : 200, ""))) {
      LogStream stream = stream(http.uri(), Duration.ofMillis(100));
      Files.writeString(log, "one\n");

      stream.taskStarted(UNIT);
      awaitRequests(http, 2);
      Files.writeString(log, "two\n", StandardOpenOption.APPEND);
      stream.taskFinished(done());

      List<LoopbackHttp.Request> requests = http.requests();
      assertThat(requests).hasSize(3);
      assertThat(requests.get(0).pathAndQuery()).endsWith("&task=unit&offset=0");
      assertThat(requests.get(0).bodyText()).isEqualTo("one\n");
      assertThat(requests.get(1).pathAndQuery()).endsWith("&task=unit&offset=0");
      assertThat(requests.get(1).bodyText()).isEqualTo("one\n");
      assertThat(requests.get(requests.size() - 1).pathAndQuery()).endsWith("&offset=4");
      assertThat(requests.get(requests.size() - 1).bodyText()).isEqualTo("two\n");
    }
  }

  @Test
  void aTaskEndingWhileAChunkIsInFlightStillSendsItsLastLines() throws Exception {
    Path log = log();
    CountDownLatch firstArrived = new CountDownLatch(1);
    try (LoopbackHttp http =
        new LoopbackHttp(
            r -> {
              firstArrived.countDown();
              pause(Duration.ofMillis(500));
              return Reply.of(200, "");
            })) {
      LogStream stream = stream(http.uri(), Duration.ofMillis(100));
      Files.writeString(log, "one\n");
      stream.taskStarted(UNIT);
      assertThat(firstArrived.await(10, TimeUnit.SECONDS)).isTrue();
      Files.writeString(log, "two\n", StandardOpenOption.APPEND);

      stream.taskFinished(done());

      assertThat(bodies(http)).isEqualTo("one\ntwo\n");
    }
  }

  private static void pause(Duration time) {
    try {
      Thread.sleep(time.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Test
  void sendsAtMostOneChunkPerIntervalAndSkipsWhatTheServerWouldDrop() throws Exception {
    Path log = log();
    Files.write(log, new byte[LogStream.SERVER_KEEPS + 10_000]);
    try (LoopbackHttp http = new LoopbackHttp(r -> Reply.of(200, ""))) {
      LogStream stream = stream(http.uri(), Duration.ofSeconds(30));

      stream.taskStarted(UNIT);
      Thread.sleep(300);
      stream.taskFinished(done());

      assertThat(http.requests()).hasSize(2);
      assertThat(http.requests().get(0).bodyText().getBytes(StandardCharsets.UTF_8))
          .hasSize(LogStream.CHUNK);
    }
  }

  @Test
  void stopsAtTheFirstRefusalOfTheTokenSayingSoOnce() throws Exception {
    Path log = log();
    StringWriter warnings = new StringWriter();
    try (LoopbackHttp http = new LoopbackHttp(r -> Reply.of(401, "worker token not recognized"))) {
      LogStream stream = stream(SoilServers.at(http.uri(), warnings), Duration.ofMillis(50));
      Files.writeString(log, "one\n");

      stream.taskStarted(UNIT);
      for (int i = 0; i < 20; i++) {
        Files.writeString(log, "more " + i + "\n", StandardOpenOption.APPEND);
        Thread.sleep(50);
      }
      stream.taskFinished(done());
      stream.taskStarted(new TaskName("next"));
      stream.taskFinished(new TaskRow(0, 1, new TaskName("next"), "sh", "-", "-"));

      assertThat(http.requests()).hasSize(1);
      assertThat(warnings.toString())
          .isEqualTo(
              "soil-worker: server "
                  + http.uri()
                  + " refused the worker token (HTTP 401: worker token not recognized); check"
                  + " SOIL_TOKEN or --token-file and the token's scopes; no more live events or"
                  + " live log for this job\n");
    }
  }

  @Test
  void neverFailsOrBlocksLongWhenTheServerIsDown() throws Exception {
    Files.writeString(log(), "text\n");
    LogStream stream = stream(SoilServers.closedPort(), Duration.ofMillis(10));
    long start = System.nanoTime();

    stream.taskStarted(UNIT);
    Thread.sleep(200);
    stream.taskFinished(done());

    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
  }
}
