package io.soilci.server.files;

import static org.assertj.core.api.Assertions.assertThat;

import io.soilci.server.testing.TestServer;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MovedRunJsonTest {
  @TempDir Path dir;

  @Test
  void redirectsARunsOldJsonUrlToItsNewPlace() throws Exception {
    try (TestServer server = TestServer.withFixtures(dir)) {
      HttpResponse<String> old = server.get("/github-jobs/4101/index.json");
      HttpResponse<String> moved = server.get("/github-jobs/4101/json/index.json");

      assertThat(old.statusCode()).isEqualTo(308);
      assertThat(old.headers().firstValue("Location")).contains("json/index.json");
      assertThat(moved.statusCode()).isEqualTo(200);
      assertThat(moved.body()).contains("\"run\" : \"4101\"");
      assertThat(server.site.resolve("github-jobs/4101/index.json")).doesNotExist();
    }
  }

  @Test
  void leavesTheHostAndStatusJsonWhereTheyAre() throws Exception {
    try (TestServer server = TestServer.withFixtures(dir)) {
      assertThat(server.get("/github-jobs/index.json").statusCode()).isEqualTo(200);
      assertThat(server.get("/status-api/github/94101/index.json").statusCode()).isEqualTo(200);
    }
  }
}
