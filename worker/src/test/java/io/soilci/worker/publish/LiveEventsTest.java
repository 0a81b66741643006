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
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LiveEventsTest {
  private static final JobRef JOB =
      new JobRef(WorkerHost.SOURCEHUT, new RunId("1234"), new JobName("cpp"));

  /** This test's job's events to the server at {@code base}, each bounded by {@code timeout}. */
  private static LiveEvents events(URI base, Duration timeout) {
    return new LiveEvents(SoilServers.at(base), JOB, timeout);
  }

  @Test
  void sendsStartAndEachTasksStartAndEnd() throws Exception {
    try (LoopbackHttp http = new LoopbackHttp(r -> Reply.of(200, ""))) {
      LiveEvents events = events(http.uri(), Duration.ofSeconds(2));

      events.jobStarted(Map.of(), false);
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
    LiveEvents events = events(SoilServers.closedPort(), Duration.ofSeconds(1));

    events.jobStarted(Map.of(), false);
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
      LiveEvents events = events(http.uri(), Duration.ofMillis(300));
      long start = System.nanoTime();

      events.jobStarted(Map.of(), false);

      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
    }
  }
}
