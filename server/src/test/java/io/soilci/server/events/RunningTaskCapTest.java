package io.soilci.server.events;

import static org.assertj.core.api.Assertions.assertThat;

import io.soilci.server.testing.SiteTrees;
import io.soilci.server.testing.TestServer;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 17: a running job's task list had no cap (3,000 task events made a 614 KB page). It is
 * capped as an uploaded tsv is, at 10,000 rows.
 */
class RunningTaskCapTest {
  private static final String JOB = "&workerHost=github&runId=8001&jobName=big";

  @TempDir Path dir;

  /** A running job's state as the server writes it, with 10,000 finished tasks. */
  private static String runningStateWithTenThousandTasks() {
    StringBuilder rows = new StringBuilder();
    for (int i = 1; i <= 10_000; i++) {
      rows.append(i == 1 ? "" : ",").append("[0,1.0,\"t").append(i).append("\",\"-\",\"-\",\"-\"]");
    }
    return "{\"startedEpoch\":"
        + (Instant.now().getEpochSecond() - 60)
        + ",\"currentTask\":\"\",\"currentSince\":0,\"doneStatus\":null,\"statusRunId\":\"\","
        + "\"finished\":["
        + rows
        + "]}";
  }

  @Test
  void refusesTheTaskAfterTheCapAndChangesNothing() throws IOException {
    Path running = Files.createDirectories(dir.resolve("site/github-jobs/8001/.running"));
    Files.writeString(running.resolve("big.json"), runningStateWithTenThousandTasks());
    try (TestServer server = TestServer.start(dir)) {
      String before = SiteTrees.checksum(server.site);

      HttpResponse<String> refused =
          server.post(
              "/event?eventName=task-done&task=t10001&status=0&elapsed=1" + JOB, server.github);
      String after = SiteTrees.checksum(server.site);
      HttpResponse<String> again =
          server.post(
              "/event?eventName=task-done&task=t10000&status=1&elapsed=2" + JOB, server.github);

      assertThat(refused.body())
          .isEqualTo(
              "task 't10001': the job already has 10000 finished tasks, the most a job's task"
                  + " table may hold\n");
      assertThat(refused.statusCode()).isEqualTo(400);
      assertThat(again.statusCode()).as("a known task may still be reported again").isEqualTo(200);
      assertThat(after).isEqualTo(before);
      assertThat(Files.readString(running.resolve("big.json"))).doesNotContain("t10001");
    }
  }
}
