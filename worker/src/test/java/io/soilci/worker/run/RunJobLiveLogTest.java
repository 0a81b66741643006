package io.soilci.worker.run;

import static org.assertj.core.api.Assertions.assertThat;

import io.soilci.worker.LoopbackHttp;
import io.soilci.worker.LoopbackHttp.Reply;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunJobLiveLogTest {
  @TempDir Path dir;

  @Test
  void runJobWithAServerStreamsTheRunningTasksLogBeforeTheTaskEnds() throws Exception {
    Checkout checkout =
        Checkout.create(java.nio.file.Files.createDirectories(dir.resolve("checkout")), "live log");
    checkout.script("t/slow.sh", "echo 'first <b>'; sleep 2; echo second");
    Map<String, String> env = new HashMap<>(System.getenv());
    env.put("SOIL_TOKEN", "w:s");
    env.put("GITHUB_ACTIONS", "true");
    env.put("GITHUB_RUN_NUMBER", "4101");
    try (LoopbackHttp http = new LoopbackHttp(r -> Reply.of(200, "ok"))) {

      Worker.Result result =
          Worker.run(
              env,
              "run-job",
              "cpp",
              "--checkout",
              checkout.dir().toString(),
              "--tasks-from",
              "printf 'slow t/slow.sh x -\\n'",
              "--server",
              http.uri().toString());

      assertThat(result.exit()).as(result.err()).isZero();
      List<LoopbackHttp.Request> requests = http.requests();
      List<String> paths =
          requests.stream().map(r -> r.pathAndQuery().replaceAll("&.*", "")).toList();
      assertThat(paths.indexOf("/log?workerHost=github"))
          .isBetween(
              paths.indexOf("/event?eventName=task-start"),
              paths.indexOf("/event?eventName=task-done"));
      assertThat(
              String.join(
                  "",
                  requests.stream()
                      .filter(r -> r.pathAndQuery().startsWith("/log?"))
                      .map(LoopbackHttp.Request::bodyText)
                      .toList()))
          .isEqualTo("first <b>\nsecond\n");
      assertThat(requests.get(paths.indexOf("/log?workerHost=github")).pathAndQuery())
          .isEqualTo("/log?workerHost=github&runId=4101&jobName=cpp&task=slow&offset=0");
    }
  }
}
