package io.soilci.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.soilci.server.testing.SiteTrees;
import io.soilci.server.testing.TestServer;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code POST /credentials}: what a token may publish, asked before a job runs; nothing changes.
 */
class CredentialsHandlerTest {
  @TempDir Path dir;

  @Test
  void namesTheWorkerWhoseTokenMayPublishTheHostsJobsAndStatusFiles() throws IOException {
    try (TestServer server = TestServer.withFixtures(dir)) {
      String before = SiteTrees.checksum(server.site);

      HttpResponse<String> response =
          server.post("/credentials?workerHost=github&updateStatusApi=1", server.github);

      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.body()).isEqualTo("worker 'gh' may write github-jobs and status-api\n");
      assertThat(SiteTrees.checksum(server.site)).isEqualTo(before);
    }
  }

  @Test
  void refusesATokenItDoesNotKnow() throws IOException {
    try (TestServer server = TestServer.withFixtures(dir)) {
      String before = SiteTrees.checksum(server.site);

      HttpResponse<String> response =
          server.post("/credentials?workerHost=github", "Bearer gh:not-the-secret");

      assertThat(response.statusCode()).isEqualTo(401);
      assertThat(response.body()).isEqualTo("worker token not recognized\n");
      assertThat(SiteTrees.checksum(server.site)).isEqualTo(before);
    }
  }

  @Test
  void refusesATokenWithoutTheHostsScopeOrTheStatusScope() throws IOException {
    try (TestServer server = TestServer.withFixtures(dir)) {
      HttpResponse<String> otherHost =
          server.post("/credentials?workerHost=github", server.sourcehut);
      HttpResponse<String> noStatus =
          server.post("/credentials?workerHost=sourcehut&updateStatusApi=1", server.sourcehut);

      assertThat(otherHost.statusCode()).isEqualTo(403);
      assertThat(otherHost.body()).isEqualTo("worker 'srht' may not write 'github-jobs'\n");
      assertThat(noStatus.statusCode()).isEqualTo(403);
      assertThat(noStatus.body()).isEqualTo("worker 'srht' may not write 'status-api'\n");
    }
  }
}
