package io.soilci.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.soilci.server.auth.Scope;
import io.soilci.server.auth.Worker;
import io.soilci.server.auth.WorkerStore;
import io.soilci.server.state.StateLayout;
import io.soilci.server.testing.SiteTrees;
import io.soilci.server.testing.TestServer;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Files copied over SFTP, then {@code ingest}: the running server's index learns of them. */
class IngestWithRunningServerTest {
  @TempDir Path dir;

  @Test
  void ingestGoesThroughTheServerRunningOnTheSite() throws IOException {
    try (TestServer server = TestServer.start(dir)) {
      Path run = Files.createDirectories(server.site.resolve("github-jobs/4101"));
      for (String ext : new String[] {".wwz", ".tsv", ".json"}) {
        Files.write(
            run.resolve("cpp-small" + ext), SiteTrees.fixture("github-jobs/4101/cpp-small" + ext));
      }
      StringWriter out = new StringWriter();
      CommandLine cli = ServerCommand.commandLine();
      cli.setOut(new PrintWriter(out, true));

      int status =
          cli.execute(
              "ingest",
              "--site",
              server.site.toString(),
              "--state",
              server.state.toString(),
              "github-jobs/4101/cpp-small");
      server.post(
          "/event?eventName=start&workerHost=github&runId=4102&jobName=dev-minimal", server.github);

      assertThat(status).isZero();
      assertThat(out.toString())
          .isEqualTo(
              "ingested github-jobs/4101/cpp-small (3 tasks); pages updated by the server at"
                  + " http://127.0.0.1:"
                  + server.port()
                  + "/ingest\n");
      String hostIndex = server.get("/github-jobs/").body();
      assertThat(hostIndex).contains("4101").contains("4102");
    }
  }

  @Test
  void theServerMintsNoWorkerTokenAndRemovesTheOneAnOlderVersionMinted() throws IOException {
    WorkerStore workers = new WorkerStore(new StateLayout(dir.resolve("state")), 1000);
    String old =
        "Bearer soil-server-local:"
            + workers.add(new Worker("soil-server-local", EnumSet.allOf(Scope.class)), false);

    try (TestServer server = TestServer.start(dir)) {
      String stored = Files.readString(server.state.resolve("workers.json"));
      JsonNode announced =
          new ObjectMapper().readTree(server.state.resolve("server.json").toFile());
      String key = announced.path("key").asText();
      String event = "/event?eventName=start&workerHost=github&runId=1&jobName=a";
      String ingest = "/ingest?workerHost=github&runId=1&jobName=a";
      HttpResponse<String> oldToken = server.post(event, old);
      HttpResponse<String> keyAsWorker = server.post(event, "Bearer soil-server-local:" + key);
      HttpResponse<String> workerOnIngest = server.post(ingest, server.github);
      HttpResponse<String> keyOnIngest = server.post(ingest, "Bearer " + key);

      assertThat(stored).doesNotContain("soil-server-local");
      assertThat(announced.has("token")).isFalse();
      assertThat(key).hasSizeGreaterThan(40);
      assertThat(oldToken.statusCode()).isEqualTo(401);
      assertThat(keyAsWorker.statusCode()).isEqualTo(401);
      assertThat(workerOnIngest.statusCode()).isEqualTo(403);
      assertThat(workerOnIngest.body())
          .isEqualTo(
              "POST /ingest needs the key in STATE/server.json of this server's state folder\n");
      assertThat(keyOnIngest.statusCode()).isEqualTo(200);
      assertThat(keyOnIngest.body()).isEqualTo("pages of github-jobs/1 updated\n");
    }
  }

  @Test
  void removesItsAddressWhenItStops() throws IOException {
    Path state;
    try (TestServer server = TestServer.start(dir)) {
      state = server.state;
      assertThat(state.resolve("server.json")).exists();
    }

    assertThat(state.resolve("server.json")).doesNotExist();
  }
}
