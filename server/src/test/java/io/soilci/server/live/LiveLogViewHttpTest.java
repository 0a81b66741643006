package io.soilci.server.live;

import static org.assertj.core.api.Assertions.assertThat;

import io.soilci.server.testing.TestServer;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code /live/…/TASK.txt?view}: a running task's log view, complete without JS. */
class LiveLogViewHttpTest {
  private static final String JOB = "workerHost=github&runId=8001&jobName=cpp";

  @TempDir Path dir;
  private TestServer server;

  @BeforeEach
  void start() throws IOException {
    server = TestServer.start(dir);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private void post(String pathAndQuery, String body) {
    HttpResponse<String> answer =
        server.send(
            HttpRequest.newBuilder(server.uri(pathAndQuery))
                .header("Authorization", server.github)
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build());
    assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
  }

  @Test
  void showsTheWholeLinesSoFarNumberedAndColouredAndSaysHowToFollow() {
    post("/log?" + JOB + "&task=unit", "first\n\u001b[31m<script>x</script>\u001b[0m\npart");

    HttpResponse<String> view = server.get("/live/github-jobs/8001/cpp/unit.txt?view");

    assertThat(view.statusCode()).isEqualTo(200);
    assertThat(view.headers().firstValue("Content-Type")).contains("text/html; charset=utf-8");
    assertThat(view.headers().firstValue("Content-Security-Policy"))
        .hasValueSatisfying(p -> assertThat(p).startsWith("default-src 'none'; script-src 'self'"));
    assertThat(view.body())
        .contains(
            "<div id=\"L1\"><a class=\"n\" href=\"#L1\" data-n=\"1\"></a><span class=\"t\">first")
        .contains("&lt;script&gt;x&lt;/script&gt;")
        .doesNotContain("<script>x")
        .doesNotContain("id=\"L3\"")
        .contains(
            "id=\"follow\" data-stream=\"../../../../live/events?format=html&amp;tail=github-jobs/8001/cpp/unit@34\"")
        .contains("running &middot; this page shows the lines so far: reload for new ones")
        .contains("<span id=\"total\">2</span> lines");
  }

  @Test
  void anEndedTaskShowsItsLastLineAndStatus() {
    post("/event?eventName=start&" + JOB, "");
    post("/log?" + JOB + "&task=unit", "first\nlast");
    post("/event?eventName=task-done&" + JOB + "&task=unit&status=137&elapsed=3", "");

    String view = server.get("/live/github-jobs/8001/cpp/unit.txt?view").body();

    assertThat(view)
        .contains("id=\"L2\"")
        .contains("class=\"follow ended\"")
        .contains("task ended (status 137 (killed by SIGKILL))");
  }
}
