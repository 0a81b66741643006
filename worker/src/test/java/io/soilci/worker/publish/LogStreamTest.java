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
import java.io.PrintWriter;
import java.io.Writer;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
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

  @Test
  void sendsTheRunningTasksLogAsItGrowsAndTheRestWhenItEnds() throws Exception {
    Path log = log();
    try (LoopbackHttp http = new LoopbackHttp(r -> Reply.of(200, ""))) {
      LogStream stream =
          new LogStream(
              new SoilServer(
                  http.uri(),
                  new Token("w", "s"),
                  Duration.ofSeconds(1),
                  new PrintWriter(Writer.nullWriter())),
              JOB,
              checkout,
              Duration.ofMillis(100));

      stream.taskStarted(UNIT);
      Files.writeString(log, "one\n");
      for (int i = 0; i < 50 && http.requests().isEmpty(); i++) {
        Thread.sleep(50);
      }
      Files.writeString(log, "two <b>\n", StandardOpenOption.APPEND);
      stream.taskFinished(done());

      assertThat(http.requests())
          .extracting(LoopbackHttp.Request::pathAndQuery)
          .containsOnly("/log?workerHost=github&runId=41&jobName=cpp&task=unit");
      assertThat(String.join("", http.requests().stream().map(r -> r.bodyText()).toList()))
          .isEqualTo("one\ntwo <b>\n");
    }
  }

  @Test
  void sendsAtMostOneChunkPerIntervalAndSkipsWhatTheServerWouldDrop() throws Exception {
    Path log = log();
    Files.write(log, new byte[LogStream.SERVER_KEEPS + 10_000]);
    try (LoopbackHttp http = new LoopbackHttp(r -> Reply.of(200, ""))) {
      LogStream stream =
          new LogStream(
              new SoilServer(
                  http.uri(),
                  new Token("w", "s"),
                  Duration.ofSeconds(1),
                  new PrintWriter(Writer.nullWriter())),
              JOB,
              checkout,
              Duration.ofSeconds(30));

      stream.taskStarted(UNIT);
      Thread.sleep(300);
      stream.taskFinished(done());

      assertThat(http.requests()).hasSize(2);
      assertThat(http.requests().get(0).bodyText().getBytes(StandardCharsets.UTF_8))
          .hasSize(LogStream.CHUNK);
    }
  }

  @Test
  void neverFailsOrBlocksLongWhenTheServerIsDown() throws Exception {
    URI closed;
    try (ServerSocket socket = new ServerSocket(0)) {
      closed = URI.create("http://127.0.0.1:" + socket.getLocalPort() + "/");
    }
    Files.writeString(log(), "text\n");
    LogStream stream =
        new LogStream(
            new SoilServer(
                closed,
                new Token("w", "s"),
                Duration.ofSeconds(1),
                new PrintWriter(Writer.nullWriter())),
            JOB,
            checkout,
            Duration.ofMillis(10));
    long start = System.nanoTime();

    stream.taskStarted(UNIT);
    Thread.sleep(200);
    stream.taskFinished(done());

    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
  }
}
