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
import java.time.Duration;
import org.junit.jupiter.api.Test;

class LiveEventsTest {
  private static final JobRef JOB =
      new JobRef(WorkerHost.SOURCEHUT, new RunId("1234"), new JobName("cpp"));

  @Test
  void sendsStartAndEachTasksStartAndEnd() throws Exception {
    try (LoopbackHttp http = new LoopbackHttp(r -> Reply.of(200, ""))) {
      LiveEvents events =
          new LiveEvents(
              new SoilServer(
                  http.uri(),
                  new Token("w", "s"),
                  Duration.ofSeconds(1),
                  new PrintWriter(Writer.nullWriter())),
              JOB,
              Duration.ofSeconds(2));

      events.jobStarted();
      events.taskStarted(new TaskName("build"));
      events.taskFinished(new TaskRow(2, 3.25, new TaskName("build"), "sh", "b", "-"));

      assertThat(http.requests())
          .extracting(LoopbackHttp.Request::pathAndQuery)
          .containsExactly(
              "/event?eventName=start&workerHost=sourcehut&runId=1234&jobName=cpp",
              "/event?eventName=task-start&workerHost=sourcehut&runId=1234&jobName=cpp&task=build",
              "/event?eventName=task-done&workerHost=sourcehut&runId=1234&jobName=cpp&task=build"
                  + "&status=2&elapsed=3.250&script=sh&func=b&resultsUrl=-");
    }
  }

  @Test
  void neverThrowsWhenTheServerIsDownAndStopsTryingAfterThreeFailures() throws Exception {
    URI closed;
    try (ServerSocket socket = new ServerSocket(0)) {
      closed = URI.create("http://127.0.0.1:" + socket.getLocalPort() + "/");
    }
    LiveEvents events =
        new LiveEvents(
            new SoilServer(
                closed,
                new Token("w", "s"),
                Duration.ofSeconds(1),
                new PrintWriter(Writer.nullWriter())),
            JOB,
            Duration.ofSeconds(1));

    events.jobStarted();
    events.taskStarted(new TaskName("a"));
    assertThat(events.gaveUp()).isFalse();
    events.taskStarted(new TaskName("b"));

    assertThat(events.gaveUp()).isTrue();
  }

  @Test
  void boundsASlowServerByTheTimeout() throws Exception {
    try (LoopbackHttp http =
        new LoopbackHttp(
            r -> {
              try {
                Thread.sleep(3000);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              return Reply.of(200, "");
            })) {
      LiveEvents events =
          new LiveEvents(
              new SoilServer(
                  http.uri(),
                  new Token("w", "s"),
                  Duration.ofSeconds(1),
                  new PrintWriter(Writer.nullWriter())),
              JOB,
              Duration.ofMillis(300));
      long start = System.nanoTime();

      events.jobStarted();

      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
    }
  }
}
