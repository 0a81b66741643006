package io.soilci.server.site;

import static org.assertj.core.api.Assertions.assertThat;

import io.soilci.server.SoilServer;
import io.soilci.server.auth.Scope;
import io.soilci.server.auth.Worker;
import io.soilci.server.auth.WorkerStore;
import io.soilci.server.config.Listen;
import io.soilci.server.config.ServerConfig;
import io.soilci.server.state.StateLayout;
import io.soilci.server.testing.Multipart;
import io.soilci.server.testing.TestServer;
import io.soilci.server.testing.Zips;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Retention over HTTP against a real server: which runs it deletes, and what of them. */
class RetentionHttpTest {
  private static final String TSV = "0\t1.5\tbuild\tbuild.sh\tbuild\t-\n";

  @TempDir Path dir;

  private static Multipart job(String name, String statusRunId) {
    String json =
        "{\"job-name\": \""
            + name
            + "\", \"commit-hash\": \""
            + "ab".repeat(20)
            + "\", \"task-run-start-time\": \"1763700000\", \"GITHUB_RUN_ID\": \""
            + statusRunId
            + "\"}\n";
    byte[] wwz = Zips.of(Map.of("index.html", "<html></html>\n", "_tmp/soil/INDEX.tsv", TSV));
    return new Multipart()
        .file("wwz", name + ".wwz", wwz)
        .file("tsv", name + ".tsv", TSV.getBytes(StandardCharsets.UTF_8))
        .file("json", name + ".json", json.getBytes(StandardCharsets.UTF_8));
  }

  private static HttpResponse<String> upload(
      TestServer server, String host, String run, String name, String token) {
    return server.post(
        "/results?workerHost=" + host + "&runId=" + run + "&jobName=" + name,
        token,
        job(name, "9" + run));
  }

  private static void stored(TestServer server, String host, String run, String name) {
    HttpResponse<String> r = upload(server, host, run, name, token(server, host));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("stored " + host + "-jobs/" + run + "/" + name + " (1 task)\n");
  }

  private static String token(TestServer server, String host) {
    return host.equals("github") ? server.github : server.sourcehut;
  }

  private List<String> runsOnDisk(String prefix) throws Exception {
    try (Stream<Path> runs = Files.list(dir.resolve("site").resolve(prefix))) {
      return runs.map(p -> p.getFileName().toString())
          .filter(
              n ->
                  !Set.of("badges", "commits", "days", "index.html", "index.json", "raw.html")
                      .contains(n))
          .sorted()
          .toList();
    }
  }

  @Test
  void anOldRunNumberUploadedLastIsKeptAndTheRunThatArrivedFirstGoes() throws Exception {
    String token;
    try (TestServer server = TestServer.start(dir, c -> c.withKeepRuns(3))) {
      token = server.github;
      for (String run : List.of("500", "501", "502")) {
        stored(server, "github", run, "demo");
      }

      stored(server, "github", "7", "demo");

      assertThat(runsOnDisk("github-jobs")).containsExactly("501", "502", "7");
      assertThat(server.get("/github-jobs/7/demo.tsv").body()).isEqualTo(TSV);
      assertThat(server.get("/github-jobs/500/demo.tsv").statusCode()).isEqualTo(404);
    }
    ServerConfig again =
        ServerConfig.defaults(dir.resolve("site"))
            .withState(dir.resolve("state"))
            .withListen(new Listen("127.0.0.1", 0))
            .withKeepRuns(3);
    try (SoilServer restarted = SoilServer.start(again)) {
      Multipart form = job("demo", "98");
      HttpResponse<String> r =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(
                          URI.create(
                              "http://127.0.0.1:"
                                  + restarted.port()
                                  + "/results?workerHost=github&runId=8&jobName=demo"))
                      .header("Authorization", token)
                      .header("Content-Type", form.contentType())
                      .POST(HttpRequest.BodyPublishers.ofByteArray(form.bytes()))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());

      assertThat(r.body()).isEqualTo("stored github-jobs/8/demo (1 task)\n");
      // When each run arrived survives the restart: 501 arrived before 7, though 7 < 501.
      assertThat(runsOnDisk("github-jobs")).containsExactly("502", "7", "8");
    }
  }

  @Test
  void sourcehutRunsGoInTheOrderTheyArrivedNotByName() throws Exception {
    try (TestServer server = TestServer.start(dir, c -> c.withKeepRuns(3))) {
      for (String run : List.of("git-ccc", "git-bbb", "git-aaa")) {
        stored(server, "sourcehut", run, "demo");
      }

      stored(server, "sourcehut", "git-ddd", "demo");

      assertThat(runsOnDisk("sourcehut-jobs")).containsExactly("git-aaa", "git-bbb", "git-ddd");
    }
  }

  @Test
  void aHugeRunNumberDoesNotPushOutTheRunsThatCameAfterIt() throws Exception {
    try (TestServer server = TestServer.start(dir, c -> c.withKeepRuns(3))) {
      stored(server, "github", "999999999999999990", "demo");
      for (String run : List.of("10", "11", "12", "13")) {
        stored(server, "github", run, "demo");

        assertThat(runsOnDisk("github-jobs")).contains(run);
      }

      assertThat(runsOnDisk("github-jobs")).containsExactly("11", "12", "13");
    }
  }

  @Test
  void retentionDeletesOnlyTheStatusFilesTheRunsOwnDoneEventsWrote() throws Exception {
    try (TestServer server = TestServer.start(dir, c -> c.withKeepRuns(2))) {
      String jobsOnly =
          "Bearer jobs:"
              + new WorkerStore(new StateLayout(server.state), 1000)
                  .add(new Worker("jobs", Set.of(Scope.GITHUB_JOBS)), false);
      // A worker without the status-api scope claims the status folder of run id 777.
      assertThat(
              server
                  .post(
                      "/results?workerHost=github&runId=200&jobName=claim",
                      jobsOnly,
                      job("claim", "777"))
                  .statusCode())
          .isEqualTo(200);
      assertThat(
              server
                  .post(
                      "/results?workerHost=github&runId=300&jobName=legit",
                      server.github,
                      job("legit", "777"))
                  .statusCode())
          .isEqualTo(200);
      HttpResponse<String> done =
          server.post(
              "/event?eventName=done&status=0&updateStatusApi=1&workerHost=github&runId=300"
                  + "&jobName=legit",
              server.github);
      assertThat(done.body()).isEqualTo("done github-jobs/300/legit\n");
      Path status = dir.resolve("site/status-api/github/777/legit.status.txt");
      assertThat(status).isRegularFile();

      stored(server, "github", "301", "demo");

      assertThat(runsOnDisk("github-jobs")).containsExactly("300", "301");
      assertThat(status).isRegularFile();
      assertThat(server.get("/status-api/github/777/legit.status.txt").body()).startsWith("0 ");

      stored(server, "github", "302", "demo");

      assertThat(runsOnDisk("github-jobs")).containsExactly("301", "302");
      assertThat(status).doesNotExist();
      assertThat(dir.resolve("site/status-api/github/777")).doesNotExist();
    }
  }

  @Test
  void statusFilesFromSoilsUploaderGoWithTheLastRunThatClaimsTheirId() throws Exception {
    try (TestServer server = TestServer.start(dir, c -> c.withKeepRuns(2))) {
      stored(server, "github", "400", "cpp");
      stored(server, "github", "401", "cpp");
      Multipart status =
          new Multipart()
              .field("payload-type", "status-api")
              .field("subdir", "github/9400")
              .file(
                  "file1",
                  "cpp.status.txt",
                  "0 2026-11-20__10-07-00\n".getBytes(StandardCharsets.UTF_8));
      assertThat(server.post("/wwup", server.statusOnly, status).statusCode()).isEqualTo(200);
      Path file = dir.resolve("site/status-api/github/9400/cpp.status.txt");
      assertThat(file).isRegularFile();

      stored(server, "github", "402", "cpp");

      assertThat(runsOnDisk("github-jobs")).containsExactly("401", "402");
      assertThat(file).doesNotExist();
      assertThat(dir.resolve("site/status-api/github/9401")).isDirectory();
    }
  }

  @Test
  void uploadsRacingRetentionAreAllAcknowledgedAndStoredWhole() throws Exception {
    try (TestServer server = TestServer.start(dir, c -> c.withKeepRuns(1))) {
      ConcurrentLinkedQueue<String> answers = new ConcurrentLinkedQueue<>();
      List<Thread> threads = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        int worker = t;
        Thread thread =
            new Thread(
                () -> {
                  for (int i = 0; i < 15; i++) {
                    String run = Integer.toString(600 + (worker + i) % 5);
                    HttpResponse<String> r =
                        upload(server, "github", run, "w" + worker, server.github);
                    answers.add(r.statusCode() + " " + r.body());
                  }
                });
        thread.start();
        threads.add(thread);
      }
      for (Thread thread : threads) {
        thread.join(120_000);
      }

      assertThat(answers).hasSize(60).allMatch(a -> a.startsWith("200 stored github-jobs/6"));
      for (String run : runsOnDisk("github-jobs")) {
        try (Stream<Path> files = Files.list(dir.resolve("site/github-jobs").resolve(run))) {
          List<String> names = files.map(p -> p.getFileName().toString()).sorted().toList();
          assertThat(names).as(run).noneMatch(n -> n.startsWith(".tmp-"));
          for (String json : names.stream().filter(n -> n.matches("w[0-9]\\.json")).toList()) {
            String job = json.substring(0, 2);
            assertThat(names).as(run).contains(job + ".wwz", job + ".tsv");
          }
        }
      }
    }
  }
}
