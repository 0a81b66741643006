package io.soilci.server.events;

import static org.assertj.core.api.Assertions.assertThat;

import io.soilci.server.testing.SiteTrees;
import io.soilci.server.testing.TestServer;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EventHandlerTest {
  private static final String JOB = "&workerHost=github&runId=8001&jobName=dev-minimal";

  @TempDir Path dir;
  private TestServer server;

  @BeforeEach
  void start() throws IOException {
    server = TestServer.withFixtures(dir);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private HttpResponse<String> event(String query) {
    return server.post("/event?" + query, server.github);
  }

  @Test
  void showsAStartedJobOnItsRunPage() {
    HttpResponse<String> response = event("eventName=start" + JOB);

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("start github-jobs/8001/dev-minimal\n");
    assertThat(server.get("/github-jobs/8001/").body()).contains("dev-minimal");
  }

  @Test
  void acceptsTaskEventsThenDoneWritingTheStatusFile() throws IOException {
    event("eventName=start" + JOB);

    assertThat(event("eventName=task-start&task=unit" + JOB).statusCode()).isEqualTo(200);
    assertThat(
            event("eventName=task-done&task=unit&status=1&elapsed=12.5&script=test/unit.sh" + JOB)
                .statusCode())
        .isEqualTo(200);
    HttpResponse<String> done =
        event("eventName=done&status=1&updateStatusApi=1&statusRunId=98001" + JOB);

    assertThat(done.statusCode()).isEqualTo(200);
    assertThat(server.site.resolve("status-api/github/98001/dev-minimal.status.txt")).exists();
    assertThat(
            Files.readString(server.site.resolve("status-api/github/98001/dev-minimal.status.txt")))
        .startsWith("1 ");
  }

  @Test
  void rejectsAnUnknownEventNamingTheAllowedOnes() throws IOException {
    String before = SiteTrees.checksum(server.site);

    HttpResponse<String> response = event("eventName=finish" + JOB);

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(response.body())
        .isEqualTo("eventName 'finish' must be one of start, task-start, task-done, done\n");
    assertThat(SiteTrees.checksum(server.site)).isEqualTo(before);
  }

  @Test
  void rejectsADoneEventWithoutAStatus() throws IOException {
    String before = SiteTrees.checksum(server.site);

    HttpResponse<String> response = event("eventName=done" + JOB);

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(response.body()).isEqualTo("query parameter 'status' is required\n");
    assertThat(SiteTrees.checksum(server.site)).isEqualTo(before);
  }

  @Test
  void rejectsAStatusThatIsNotAnExitCode() throws IOException {
    String before = SiteTrees.checksum(server.site);

    HttpResponse<String> response = event("eventName=done&status=-1" + JOB);

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(response.body()).isEqualTo("status '-1' must be an integer from 0 to 255\n");
    assertThat(SiteTrees.checksum(server.site)).isEqualTo(before);
  }

  @Test
  void rejectsATaskNameWithTraversal() throws IOException {
    String before = SiteTrees.checksum(server.site);

    HttpResponse<String> response = event("eventName=task-start&task=..%2F..%2Fx" + JOB);

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(response.body())
        .isEqualTo(
            "task name '../../x' must be 1-100 letters, digits, '.', '_' or '-', starting with a"
                + " letter or digit\n");
    assertThat(SiteTrees.checksum(server.site)).isEqualTo(before);
  }

  @Test
  void needsTheStatusApiScopeToUpdateTheStatusApi() throws IOException {
    String before = SiteTrees.checksum(server.site);

    HttpResponse<String> response =
        server.post(
            "/event?eventName=done&status=0&updateStatusApi=1&workerHost=sourcehut&runId=9"
                + "&jobName=dev-minimal",
            server.sourcehut);

    assertThat(response.statusCode()).isEqualTo(403);
    assertThat(response.body()).isEqualTo("worker 'srht' may not write 'status-api'\n");
    assertThat(SiteTrees.checksum(server.site)).isEqualTo(before);
  }

  @Test
  void refusesAStartEventAskingForTheStatusApiWithoutItsScope() throws IOException {
    String before = SiteTrees.checksum(server.site);

    HttpResponse<String> response =
        server.post(
            "/event?eventName=start&updateStatusApi=1&workerHost=sourcehut&runId=9"
                + "&jobName=dev-minimal",
            server.sourcehut);

    assertThat(response.statusCode()).isEqualTo(403);
    assertThat(response.body()).isEqualTo("worker 'srht' may not write 'status-api'\n");
    assertThat(SiteTrees.checksum(server.site)).isEqualTo(before);
  }

  @Test
  void rejectsAWrongTokenWith401() throws IOException {
    String before = SiteTrees.checksum(server.site);

    HttpResponse<String> response =
        server.post("/event?eventName=start" + JOB, server.github + "x");

    assertThat(response.statusCode()).isEqualTo(401);
    assertThat(response.headers().firstValue("WWW-Authenticate")).isEmpty();
    assertThat(response.body()).isEqualTo("worker token not recognized\n");
    assertThat(SiteTrees.checksum(server.site)).isEqualTo(before);
  }

  @Test
  void rejectsAWorkerWritingAnotherHostWith403() throws IOException {
    String before = SiteTrees.checksum(server.site);

    HttpResponse<String> response = server.post("/event?eventName=start" + JOB, server.sourcehut);

    assertThat(response.statusCode()).isEqualTo(403);
    assertThat(response.body()).isEqualTo("worker 'srht' may not write 'github-jobs'\n");
    assertThat(SiteTrees.checksum(server.site)).isEqualTo(before);
  }
}
