package io.soilci.server.events;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.soilci.server.testing.TestServer;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An event is answered before its pages are written (they are written in the background), yet a
 * read through the server right after the answer never sees a page older than the event: a read of
 * a page still pending waits for it.
 */
class EventPagesHttpTest {
  @TempDir Path dir;

  @Test
  void aReadRightAfterAnEventsAnswerShowsTheEventOnEveryPageItChanged() throws Exception {
    try (TestServer server = TestServer.start(dir)) {
      for (int i = 0; i < 40; i++) {
        String run = Integer.toString(5000 + i / 4);
        String job = "job-" + i;
        String query = "workerHost=github&runId=" + run + "&jobName=" + job;
        // Through the client directly: TestServer.post would wait for the pages itself.
        assertThat(send(server, "eventName=start&" + query).statusCode()).isEqualTo(200);
        assertThat(server.get("/github-jobs/" + run + "/").body())
            .contains(">" + job + "<")
            .contains("running");
        assertThat(send(server, "eventName=done&status=" + (i % 2) + "&" + query).statusCode())
            .isEqualTo(200);
        String index = server.get("/github-jobs/").body();
        String chip = "<li class=\"chip " + (i % 2 == 0 ? "pass" : "fail") + "\">";
        assertThat(index).contains(chip + "<a href=\"" + run + "/index.html#job-" + job + "\"");
        String raw = server.get("/github-jobs/raw.html").body();
        assertThat(raw).contains(job);
        String json = server.get("/github-jobs/" + run + "/json/index.json").body();
        assertThat(json).contains("\"" + job + "\"");
        assertThat(new ObjectMapper().readTree(json).get("running").asBoolean()).isFalse();
      }
    }
  }

  private static HttpResponse<String> send(TestServer server, String query) {
    return server.send(
        HttpRequest.newBuilder(server.uri("/event?" + query))
            .header("Authorization", server.github)
            .POST(HttpRequest.BodyPublishers.noBody())
            .build());
  }
}
