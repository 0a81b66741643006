package io.soilci.worker.run;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.soilci.worker.LoopbackHttp;
import io.soilci.worker.LoopbackHttp.Reply;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * run-job --github-status posts the job's commit status to GitHub's REST API; GitHub is the one
 * boundary faked here (a loopback HTTP server that records the request), as none is reachable.
 */
class RunJobGitHubStatusTest {
  private static final String SHA = "07ee33e4bb59fd268d5cc7200578668347eb96ec";

  @TempDir Path dir;

  private Worker.Result run(LoopbackHttp soil, LoopbackHttp github) throws Exception {
    Checkout checkout = Checkout.create(Files.createDirectories(dir.resolve("checkout")), "c");
    checkout.script("t/bad.sh", "exit 2");
    Map<String, String> env = new HashMap<>(System.getenv());
    env.put("SOIL_TOKEN", "w:s");
    env.put("GITHUB_ACTIONS", "true");
    env.put("GITHUB_RUN_NUMBER", "5");
    env.put("GITHUB_TOKEN", "ghs_secret");
    env.put("GITHUB_REPOSITORY", "owner/repo");
    env.put("GITHUB_SHA", SHA);
    return Worker.run(
        env,
        "run-job",
        "cpp",
        "--checkout",
        checkout.dir().toString(),
        "--tasks-from",
        "printf 'bad t/bad.sh x -\\n'",
        "--server",
        soil.uri().toString(),
        "--github-status",
        "--github-api",
        github.uri().toString());
  }

  @Test
  void postsTheJobsStateLinkingToItsPage() throws Exception {
    try (LoopbackHttp soil = new LoopbackHttp(r -> Reply.of(200, "ok"));
        LoopbackHttp github = new LoopbackHttp(r -> Reply.of(201, "{}"))) {

      Worker.Result result = run(soil, github);

      assertThat(result.exit()).as(result.err()).isEqualTo(2);
      List<LoopbackHttp.Request> posted = github.requests();
      assertThat(posted).hasSize(1);
      LoopbackHttp.Request request = posted.get(0);
      assertThat(request.pathAndQuery()).isEqualTo("/repos/owner/repo/statuses/" + SHA);
      assertThat(request.header("Authorization")).isEqualTo("Bearer ghs_secret");
      JsonNode body = new ObjectMapper().readTree(request.bodyText());
      assertThat(body.path("state").asText()).isEqualTo("failure");
      assertThat(body.path("context").asText()).isEqualTo("soil/cpp");
      assertThat(body.path("target_url").asText())
          .isEqualTo(soil.uri() + "github-jobs/5/index.html#job-cpp");
      assertThat(body.path("description").asText()).isEqualTo("failed (exit status 2)");
      assertThat(result.err()).doesNotContain("warning");
    }
  }

  @Test
  void aRefusedStatusIsAWarningAndTheJobsStatusStands() throws Exception {
    try (LoopbackHttp soil = new LoopbackHttp(r -> Reply.of(200, "ok"));
        LoopbackHttp github =
            new LoopbackHttp(r -> Reply.of(403, "{\"message\":\"Resource not accessible\"}"))) {

      Worker.Result result = run(soil, github);

      assertThat(result.exit()).isEqualTo(2);
      assertThat(result.err())
          .contains(
              "soil-worker: warning: commit status soil/cpp not posted: "
                  + github.uri()
                  + "repos/owner/repo/statuses/"
                  + SHA
                  + " answered HTTP 403 ({\"message\":\"Resource not accessible\"}); the token"
                  + " needs statuses: write permission");
    }
  }
}
