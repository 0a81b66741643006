package io.soilci.worker.merge;

import static org.assertj.core.api.Assertions.assertThat;

import io.soilci.worker.Cli;
import io.soilci.worker.LoopbackHttp;
import io.soilci.worker.LoopbackHttp.Reply;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MaybeMergeGitHubTest {
  private static final String SHA = "0123456789abcdef0123456789abcdef01234567";
  private static final Map<String, String> ENV =
      Map.of("GITHUB_TOKEN", "ghs_test", "GITHUB_REPOSITORY", "oils/oils", "GITHUB_RUN_ID", "555");

  @TempDir Path tmp;

  private Cli.Result maybeMerge(Map<String, String> env, String api, StatusFolder status) {
    return Cli.run(
        new MaybeMergeCommand(env),
        "maybe-merge",
        "--server",
        status.url(),
        "--jobs",
        "dev",
        "--sha",
        SHA,
        "--branch",
        "master",
        "--github-api",
        api,
        "--wait",
        "1",
        "--poll",
        "0.1");
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
