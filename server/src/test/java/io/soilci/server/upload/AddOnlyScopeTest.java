package io.soilci.server.upload;

import static org.assertj.core.api.Assertions.assertThat;

import io.soilci.server.auth.Scope;
import io.soilci.server.testing.Multipart;
import io.soilci.server.testing.TestServer;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A token of scope add-github-jobs (for results of untrusted builds) adds jobs, never replaces. */
class AddOnlyScopeTest {
  private static final String EXISTING = "/results?workerHost=github&runId=4101&jobName=cpp-small";
  private static final String NEW = "/results?workerHost=github&runId=9001&jobName=cpp-small";

  @TempDir Path dir;
  private TestServer server;
  private String fork;

  @BeforeEach
  void start() throws Exception {
    server = TestServer.withFixtures(dir);
    fork = server.addWorker("fork", Scope.ADD_GITHUB_JOBS);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private static Multipart job() {
    return TestServer.fixtureJob("github-jobs/4101", "cpp-small");
  }

  private static String refusal(String ref) {
    return "worker 'fork' may only add new jobs (scope add-github-jobs), and "
        + ref
        + " exists: publish under a new run id, or with a token of scope github-jobs to replace it";
  }

  @Test
  void refusesToReplaceAJobPublishedBeforeAndChangesNothing() throws Exception {
    Path json = server.site.resolve("github-jobs/4101/cpp-small.json");
    byte[] before = Files.readAllBytes(json);

    HttpResponse<String> r = server.post(EXISTING, fork, job());

    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(r.body().strip()).isEqualTo(refusal("github-jobs/4101/cpp-small"));
    assertThat(json).hasBinaryContent(before);
    try (var files = Files.list(server.site.resolve("github-jobs/4101"))) {
      assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith(".tmp"));
    }
  }

  @Test
  void addsANewJobOnceThenRefusesItsReplacement() {
    HttpResponse<String> first = server.post(NEW, fork, job());
    HttpResponse<String> again = server.post(NEW, fork, job());

    assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
    assertThat(server.site.resolve("github-jobs/9001/cpp-small.json")).exists();
    assertThat(again.statusCode()).isEqualTo(403);
    assertThat(again.body().strip()).isEqualTo(refusal("github-jobs/9001/cpp-small"));
  }

  @Test
  void aFullTokenStillReplaces() {
    assertThat(server.post(NEW, fork, job()).statusCode()).isEqualTo(200);

    assertThat(server.post(NEW, server.github, job()).statusCode()).isEqualTo(200);
  }

  @Test
  void mayNotSendEventsOrWriteOtherFolders() {
    HttpResponse<String> event =
        server.post(
            "/event?eventName=done&workerHost=github&runId=4101&jobName=cpp-small&status=0", fork);
    HttpResponse<String> sourcehut =
        server.post("/results?workerHost=sourcehut&runId=1&jobName=j", fork, job());

    assertThat(event.statusCode()).isEqualTo(403);
    assertThat(event.body()).contains("worker 'fork' may not write 'github-jobs'");
    assertThat(sourcehut.statusCode()).isEqualTo(403);
    assertThat(sourcehut.body()).contains("worker 'fork' may not write 'sourcehut-jobs'");
  }
}
