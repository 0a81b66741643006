package io.soilci.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * soil-scripts/github-actions.sh and sourcehut.sh with each CI's environment faked, against a real
 * server: the job runs (in real podman for GitHub), is published, and the script exits with the
 * job's status.
 */
class CiScriptsIT {
  @TempDir static Path tmp;
  static ServerProcess server;
  static Http http = new Http();

  @BeforeAll
  static void startServer() throws Exception {
    server = new ServerProcess(Files.createDirectories(tmp.resolve("server")));
  }

  @AfterAll
  static void stopServer() throws Exception {
    server.close();
  }

  /** A checkout holding the demo job's tasks; {@code withLint} keeps its failing task. */
  private static Path checkout(String name, boolean withLint) throws Exception {
    Path dir = tmp.resolve(name);
    Files.createDirectories(dir.resolve("soil-scripts/demo"));
    Path demo = Repo.ROOT.resolve("soil-scripts/demo");
    Files.copy(demo.resolve("tasks.sh"), dir.resolve("soil-scripts/demo/tasks.sh"));
    String tasks = Files.readString(demo.resolve("tasks.txt"));
    Files.writeString(
        dir.resolve("soil-scripts/demo/tasks.txt"),
        withLint ? tasks : tasks.replaceAll("(?m)^lint .*\\n", ""));
    return dir;
  }

  private static Map<String, String> github(int run) {
    Map<String, String> env = new HashMap<>();
    env.put("GITHUB_ACTIONS", "true");
    env.put("GITHUB_RUN_NUMBER", Integer.toString(run));
    env.put("GITHUB_RUN_ID", Integer.toString(9000 + run));
    env.put("GITHUB_REPOSITORY", "oils/oils");
    env.put("GITHUB_SERVER_URL", "https://github.com");
    env.put("GITHUB_WORKFLOW", "soil");
    env.put("GITHUB_JOB", "demo");
    env.put("GITHUB_REF", "refs/pull/42/merge");
    env.put("GITHUB_PR_NUMBER", "42");
    env.put("GITHUB_PR_HEAD_REF", "feature");
    env.put("GITHUB_PR_HEAD_SHA", "89abcdef0123456789abcdef0123456789abcdef");
    env.put("GITHUB_SHA", "0123456789abcdef0123456789abcdef01234567");
    env.put("SOIL_SERVER", server.uri().toString());
    env.put("SOIL_TOKEN", server.token);
    return env;
  }

  @Test
  void githubActionsRunsTheJobInPodmanPublishesItAndExitsWithItsStatus() throws Exception {
    Path checkout = checkout("gh", true);
    String image =
        System.getenv().getOrDefault("SOIL_TEST_IMAGE", "localhost/soil-test-busybox:latest");

    Processes.Result result =
        Processes.run(
            checkout,
            github(21),
            300,
            Repo.ROOT.resolve("soil-scripts/github-actions.sh").toString(),
            "run-job",
            "demo",
            "soil-scripts/demo/tasks.txt",
            image);

    assertThat(result.exit()).as(result.output()).isEqualTo(1);
    assertThat(result.output())
        .contains("published github-jobs/21/demo")
        .contains("soil: job demo finished with status 1");
    String json = http.get(server.uri().resolve("github-jobs/21/demo.json")).body();
    assertThat(json)
        .contains("\"JOB_URL\": \"https://github.com/oils/oils/actions/runs/9021\"")
        .contains("\"GITHUB_PR_NUMBER\": \"42\"")
        .contains("\"GITHUB_PR_HEAD_REF\": \"feature\"");
    assertThat(http.get(server.uri().resolve("github-jobs/21/")).body())
        .contains("PR #42 from feature");
    assertThat(http.get(server.uri().resolve("status-api/github/9021/demo.status.txt")).body())
        .startsWith("1 ");
    String log =
        http.get(server.uri().resolve("github-jobs/21/demo.wwz/_tmp/soil/logs/os-info.txt")).body();
    assertThat(log).doesNotContain(server.token.split(":")[1]);
  }

  @Test
  void githubMaybeMergeFastForwardsOnlyAGreenRun() throws Exception {
    List<String> patches = new CopyOnWriteArrayList<>();
    HttpServer api = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    api.createContext(
        "/",
        exchange -> {
          patches.add(
              exchange.getRequestMethod()
                  + " "
                  + exchange.getRequestURI()
                  + " "
                  + new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
          byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(200, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    api.start();
    try {
      Path script = Repo.ROOT.resolve("soil-scripts/github-actions.sh");
      Processes.Result red =
          Processes.run(
              checkout("red", true),
              github(31),
              300,
              script.toString(),
              "run-job",
              "demo",
              "soil-scripts/demo/tasks.txt");
      Map<String, String> push = github(32);
      push.putAll(
          Map.of("GITHUB_PR_NUMBER", "", "GITHUB_PR_HEAD_REF", "", "GITHUB_PR_HEAD_SHA", ""));
      Processes.Result green =
          Processes.run(
              checkout("green", false),
              push,
              300,
              script.toString(),
              "run-job",
              "demo",
              "soil-scripts/demo/tasks.txt");
      assertThat(List.of(red.exit(), green.exit())).isEqualTo(List.of(1, 0));
      assertThat(http.get(server.uri().resolve("github-jobs/32/demo.json")).body())
          .contains("\"GITHUB_PR_NUMBER\": null");
      assertThat(http.get(server.uri().resolve("github-jobs/32/")).body()).doesNotContain("PR #");
      Map<String, String> env = github(31);
      env.put("GITHUB_TOKEN", "ghs_x");
      env.put("GITHUB_API_URL", "http://127.0.0.1:" + api.getAddress().getPort());

      Processes.Result refused =
          Processes.run(tmp, env, 120, script.toString(), "maybe-merge", "demo");
      env.putAll(Map.of("GITHUB_RUN_ID", "9032", "GITHUB_RUN_NUMBER", "32"));
      Processes.Result merged =
          Processes.run(tmp, env, 120, script.toString(), "maybe-merge", "demo");

      assertThat(refused.exit()).as(refused.output()).isEqualTo(0);
      assertThat(refused.output())
          .contains("job 'demo' failed (status 1)")
          .contains("soil: not merged");
      assertThat(merged.exit()).as(merged.output()).isEqualTo(0);
      assertThat(patches)
          .containsExactly(
              "PATCH /repos/oils/oils/git/refs/heads/main {\"sha\":\"0123456789abcdef0123456789abcdef01234567\",\"force\":false}");
    } finally {
      api.stop(0);
    }
  }

  @Test
  void sourcehutRunsOnTheVmWithTheTokenFromAFileAndPublishesUnderTheJobId() throws Exception {
    Path checkout = checkout("srht", false);
    Path tokenFile = Files.writeString(tmp.resolve("soil-token"), server.token + "\n");
    Map<String, String> env =
        Map.of(
            "JOB_ID",
            "555",
            "JOB_URL",
            "https://builds.sr.ht/~u/job/555",
            "SOIL_SERVER",
            server.uri().toString(),
            "SOIL_TOKEN_FILE",
            tokenFile.toString());

    Processes.Result result =
        Processes.run(
            checkout,
            env,
            300,
            Repo.ROOT.resolve("soil-scripts/sourcehut.sh").toString(),
            "run-job",
            "demo",
            "soil-scripts/demo/tasks.txt");

    assertThat(result.exit()).as(result.output()).isEqualTo(0);
    assertThat(http.get(server.uri().resolve("sourcehut-jobs/555/demo.json")).body())
        .contains("\"JOB_ID\": \"555\"")
        .contains("\"JOB_URL\": \"https://builds.sr.ht/~u/job/555\"");
    assertThat(http.get(server.uri().resolve("sourcehut-jobs/555/")).statusCode()).isEqualTo(200);
  }
}
