package io.soilci.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.soilci.server.testing.SiteTrees;
import io.soilci.server.testing.TestServer;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
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
                  + "/uuu/wwup.cgi\n");
      String hostIndex = server.get("/github-jobs/").body();
      assertThat(hostIndex).contains("4101").contains("4102");
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
