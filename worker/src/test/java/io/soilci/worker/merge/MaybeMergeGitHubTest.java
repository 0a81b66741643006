package io.soilci.worker.merge;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.soilci.worker.Cli;
import io.soilci.worker.LoopbackHttp;
import io.soilci.worker.LoopbackHttp.Reply;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MaybeMergeGitHubTest {
  private static final String SHA = "0123456789abcdef0123456789abcdef01234567";
  private static final Map<String, String> ENV =
      Map.of("GITHUB_TOKEN", "ghs_test", "GITHUB_REPOSITORY", "oils/oils", "GITHUB_RUN_ID", "555");

  @TempDir Path tmp;

  private Cli.Result maybeMerge(Map<String, String> env, String api, StatusFolder status) {
    return maybeMerge(env, api, status, "dev");
  }

  private Cli.Result maybeMerge(
      Map<String, String> env, String api, StatusFolder status, String jobs, String... more) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "maybe-merge",
                "--server",
                status.url(),
                "--jobs",
                jobs,
                "--sha",
                SHA,
                "--branch",
                "master",
                "--github-api",
                api,
                "--wait",
                "1",
                "--poll",
                "0.1"));
    args.addAll(List.of(more));
    return Cli.run(new MaybeMergeCommand(env), args.toArray(String[]::new));
  }

  @Test
  void patchesTheBranchRefWithTheExactRequestGitHubExpects() throws Exception {
    try (StatusFolder status = new StatusFolder(tmp);
        LoopbackHttp github =
            new LoopbackHttp(r -> Reply.of(200, "{\"ref\":\"refs/heads/master\"}"))) {
      status.report("555", "dev", "0 1");

      Cli.Result result = maybeMerge(ENV, github.uri().toString(), status);

      assertThat(result.exit()).isEqualTo(0);
      LoopbackHttp.Request request = github.requests().get(0);
      assertThat(request.method()).isEqualTo("PATCH");
      assertThat(request.pathAndQuery()).isEqualTo("/repos/oils/oils/git/refs/heads/master");
      assertThat(request.header("Authorization")).isEqualTo("Bearer ghs_test");
      assertThat(request.header("Accept")).isEqualTo("application/vnd.github+json");
      assertThat(request.header("X-GitHub-Api-Version")).isEqualTo("2022-11-28");
      assertThat(request.header("Content-Type")).isEqualTo("application/json");
      assertThat(request.bodyText()).isEqualTo("{\"sha\":\"" + SHA + "\",\"force\":false}");
    }
  }

  @Test
  void postsOneStatusForTheRunLinkingItsPageBeforeMerging() throws Exception {
    try (StatusFolder status = new StatusFolder(tmp);
        LoopbackHttp github =
            new LoopbackHttp(r -> Reply.of(r.method().equals("POST") ? 201 : 200, "{}"))) {
      status.report("555", "dev", "0 1");
      status.summary("555", "dev", "12");

      Cli.Result result =
          maybeMerge(ENV, github.uri().toString(), status, "dev", "--github-status");

      assertThat(result.exit()).as(result.err()).isEqualTo(0);
      assertThat(github.requests()).hasSize(2);
      LoopbackHttp.Request posted = github.requests().get(0);
      assertThat(posted.method()).isEqualTo("POST");
      assertThat(posted.pathAndQuery()).isEqualTo("/repos/oils/oils/statuses/" + SHA);
      assertThat(posted.header("Authorization")).isEqualTo("Bearer ghs_test");
      assertThat(posted.bodyText())
          .isEqualTo(
              "{\"state\":\"success\",\"target_url\":\""
                  + status.url()
                  + "github-jobs/12/\",\"description\":\"all 1 job passed\","
                  + "\"context\":\"soil/run\"}");
      assertThat(github.requests().get(1).method()).isEqualTo("PATCH");
    }
  }

  @Test
  void postsAFailureNamingTheFailedAndMissingJobsAndDoesNotMerge() throws Exception {
    try (StatusFolder status = new StatusFolder(tmp);
        LoopbackHttp github = new LoopbackHttp(r -> Reply.of(201, "{}"))) {
      status.report("555", "dev", "0 1");
      status.report("555", "cpp", "2 1");
      status.summary("555", "dev", "12");

      Cli.Result result =
          maybeMerge(ENV, github.uri().toString(), status, "dev,cpp,docs", "--github-status");

      assertThat(result.exit()).isEqualTo(3);
      assertThat(github.requests()).hasSize(1);
      JsonNode body = new ObjectMapper().readTree(github.requests().get(0).bodyText());
      assertThat(body.path("state").asText()).isEqualTo("failure");
      assertThat(body.path("description").asText())
          .isEqualTo("failed: cpp (2); never reported: docs");
      assertThat(body.path("target_url").asText()).isEqualTo(status.url() + "github-jobs/12/");
    }
  }

  @Test
  void cutsALongDescriptionToGitHubsLimit() throws Exception {
    try (StatusFolder status = new StatusFolder(tmp);
        LoopbackHttp github = new LoopbackHttp(r -> Reply.of(201, "{}"))) {
      List<String> jobs = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        String job = "a-rather-long-job-name-for-the-matrix-" + i;
        jobs.add(job);
        status.report("555", job, "1 1");
      }

      maybeMerge(ENV, github.uri().toString(), status, String.join(",", jobs), "--github-status");

      String description =
          new ObjectMapper().readTree(github.requests().get(0).body()).path("description").asText();
      assertThat(description)
          .hasSize(140)
          .startsWith("failed: a-rather-long-job-name-for-the-matrix-0 (1), ")
          .endsWith("…");
    }
  }

  @Test
  void reportsGitHubsRefusalOfANonFastForward() throws Exception {
    try (StatusFolder status = new StatusFolder(tmp);
        LoopbackHttp github =
            new LoopbackHttp(
                r -> Reply.of(422, "{\"message\":\"Update is not a fast forward\"}"))) {
      status.report("555", "dev", "0 1");

      Cli.Result result = maybeMerge(ENV, github.uri().toString(), status);

      assertThat(result.exit()).isEqualTo(1);
      assertThat(result.err())
          .isEqualTo(
              "soil-worker: refused: "
                  + SHA
                  + " is not a fast-forward of GitHub oils/oils branch"
                  + " master (GitHub: Update is not a fast forward); the branch moved on, run again"
                  + " on its new head");
    }
  }

  @Test
  void reportsABadTokenWithWhatToFix() throws Exception {
    try (StatusFolder status = new StatusFolder(tmp);
        LoopbackHttp github =
            new LoopbackHttp(r -> Reply.of(401, "{\"message\":\"Bad credentials\"}"))) {
      status.report("555", "dev", "0 1");

      Cli.Result result = maybeMerge(ENV, github.uri().toString(), status);

      assertThat(result.err())
          .isEqualTo(
              "soil-worker: GitHub refused GITHUB_TOKEN for GitHub oils/oils branch master (HTTP"
                  + " 401: Bad credentials); give the token contents: write permission");
    }
  }

  @Test
  void neverCallsGitHubWhenAJobFailed() throws Exception {
    try (StatusFolder status = new StatusFolder(tmp);
        LoopbackHttp github = new LoopbackHttp(r -> Reply.of(200, "{}"))) {
      status.report("555", "dev", "2 1");

      Cli.Result result = maybeMerge(ENV, github.uri().toString(), status);

      assertThat(result.exit()).isEqualTo(3);
      assertThat(github.requests()).isEmpty();
    }
  }

  @Test
  void asksForTheTokenWhenItIsMissing() throws Exception {
    try (StatusFolder status = new StatusFolder(tmp)) {
      Cli.Result result = maybeMerge(Map.of("GITHUB_RUN_ID", "555"), "http://127.0.0.1:9/", status);

      assertThat(result.exit()).isEqualTo(2);
      assertThat(result.err())
          .isEqualTo(
              "soil-worker: GITHUB_TOKEN is not set: export a token with contents: write, or use"
                  + " --git-remote URL");
    }
  }
}
