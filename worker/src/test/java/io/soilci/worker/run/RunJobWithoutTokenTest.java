package io.soilci.worker.run;

import static org.assertj.core.api.Assertions.assertThat;

import io.soilci.worker.LoopbackHttp;
import io.soilci.worker.LoopbackHttp.Reply;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A pull request from a fork: the CI withholds SOIL_TOKEN (GitHub sets it to ""). */
class RunJobWithoutTokenTest {
  private static final String SKIPPED =
      "soil-worker: no worker token (SOIL_TOKEN is unset or empty, as in a pull request from a"
          + " fork): the job runs and its results are not published; see docs/PUBLISHING.md,"
          + " 'Pull requests from forks'";

  @TempDir Path dir;

  @Test
  void runsTheJobExitsWithItsTasksStatusAndPublishesNothing() throws Exception {
    Checkout checkout =
        Checkout.create(Files.createDirectories(dir.resolve("checkout")), "from a fork");
    checkout.script("t/ok.sh", "echo fine");
    checkout.script("t/bad.sh", "echo broken; exit 3");
    Map<String, String> env = new HashMap<>(System.getenv());
    env.put("SOIL_TOKEN", "");
    env.put("GITHUB_ACTIONS", "true");
    env.put("GITHUB_RUN_NUMBER", "77");
    try (LoopbackHttp http = new LoopbackHttp(r -> Reply.of(200, "ok"))) {

      Worker.Result result =
          Worker.run(
              env,
              "run-job",
              "pr",
              "--checkout",
              checkout.dir().toString(),
              "--tasks-from",
              "printf 'ok t/ok.sh x -\\nbad t/bad.sh x -\\n'",
              "--server",
              http.uri().toString(),
              "--update-status-api");

      assertThat(result.exit()).as(result.err()).isEqualTo(3);
      assertThat(result.err().lines().filter(l -> l.startsWith("soil-worker:")))
          .containsExactly(SKIPPED);
      assertThat(http.requests()).isEmpty();
      assertThat(checkout.dir().resolve("_tmp/soil/out/pr.json")).exists();
      assertThat(checkout.dir().resolve("_tmp/soil/out/pr.wwz")).exists();
    }
  }

  @Test
  void withoutTheVariableAtAllItRunsToo() throws Exception {
    Checkout checkout = Checkout.create(Files.createDirectories(dir.resolve("c2")), "no secret");
    checkout.script("t/ok.sh", "echo fine");
    Map<String, String> env = new HashMap<>(System.getenv());
    env.remove("SOIL_TOKEN");
    env.put("GITHUB_ACTIONS", "true");
    env.put("GITHUB_RUN_NUMBER", "78");
    try (LoopbackHttp http = new LoopbackHttp(r -> Reply.of(200, "ok"))) {

      Worker.Result result =
          Worker.run(
              env,
              "run-job",
              "pr",
              "--checkout",
              checkout.dir().toString(),
              "--tasks-from",
              "printf 'ok t/ok.sh x -\\n'",
              "--server",
              http.uri().toString());

      assertThat(result.exit()).as(result.err()).isZero();
      assertThat(result.err()).contains(SKIPPED);
      assertThat(http.requests()).isEmpty();
    }
  }
}
