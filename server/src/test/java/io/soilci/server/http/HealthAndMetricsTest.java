package io.soilci.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.soilci.server.testing.TestServer;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HealthAndMetricsTest {
  @TempDir Path dir;

  @Test
  void answersHealthz() throws IOException {
    try (TestServer server = TestServer.start(dir)) {
      HttpResponse<String> response = server.get("/healthz");

      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.body()).isEqualTo("ok\n");
    }
  }

  @Test
  void countsRequestsByRouteAndStatusAndUploadedBytes() throws IOException {
    try (TestServer server = TestServer.start(dir)) {
      server.post(
          "/results?workerHost=github&runId=1&jobName=cpp-small",
          server.github,
          TestServer.fixtureJob("github-jobs/4101", "cpp-small"));
      server.get("/github-jobs/1/cpp-small.wwz/nope.txt");

      String metrics = server.get("/metrics").body();

      assertThat(metrics)
          .contains("soil_http_requests_total{route=\"/results\",status=\"200\"} 1\n")
          .contains("soil_http_requests_total{route=\"wwz\",status=\"404\"} 1\n")
          .contains("soil_uploads_in_flight 0\n")
          .contains("soil_page_regeneration_seconds_count 1\n")
          .containsPattern("soil_uploaded_bytes_total [1-9][0-9]{3,}\n");
    }
  }

  @Test
  void refusesReadsWithoutATokenWhenReadsAreNotPublic() throws IOException {
    try (TestServer server = TestServer.start(dir, c -> c.withPublicReads(false))) {
      HttpResponse<String> anonymous = server.get("/index.html");
      HttpResponse<String> worker =
          server.send(
              java.net.http.HttpRequest.newBuilder(server.uri("/index.html"))
                  .header("Authorization", server.sourcehut)
                  .build());

      assertThat(anonymous.statusCode()).isEqualTo(401);
      assertThat(anonymous.headers().firstValue("WWW-Authenticate"))
          .contains("Basic realm=\"soil\", charset=\"UTF-8\"");
      assertThat(worker.statusCode()).isEqualTo(200);
      // The page is in the server's cache now: still not for anyone without a token.
      assertThat(server.get("/index.html").statusCode()).isEqualTo(401);
    }
  }

  @Test
  void answers405ToOtherMethods() throws IOException {
    try (TestServer server = TestServer.start(dir)) {
      HttpResponse<String> response =
          server.send(
              java.net.http.HttpRequest.newBuilder(server.uri("/index.html"))
                  .method("DELETE", java.net.http.HttpRequest.BodyPublishers.noBody())
                  .build());

      assertThat(response.statusCode()).isEqualTo(405);
      assertThat(response.body()).isEqualTo("method DELETE is not allowed on /index.html\n");
    }
  }

  @Test
  void the405ListsOnlyTheMethodsThatWorkForThePath() throws IOException {
    try (TestServer server = TestServer.start(dir)) {
      String[][] cases = {
        {"POST", "/index.html", "GET, HEAD"},
        {"PUT", "/github-jobs/", "GET, HEAD"},
        {"DELETE", "/results", "POST"},
        {"PUT", "/coordinator/submit", "POST"},
        {"PUT", "/credentials", "POST"},
        {"PUT", "/wwup", "GET, HEAD, POST"},
      };
      for (String[] c : cases) {
        HttpResponse<String> response =
            server.send(
                java.net.http.HttpRequest.newBuilder(server.uri(c[1]))
                    .method(c[0], java.net.http.HttpRequest.BodyPublishers.noBody())
                    .build());

        assertThat(response.statusCode()).as(c[0] + " " + c[1]).isEqualTo(405);
        assertThat(response.headers().allValues("Allow"))
            .as(c[0] + " " + c[1])
            .containsExactly(c[2]);
        assertThat(response.body())
            .isEqualTo("method " + c[0] + " is not allowed on " + c[1] + "\n");
      }
    }
  }
}
