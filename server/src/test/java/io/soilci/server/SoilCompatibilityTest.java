package io.soilci.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.soilci.server.testing.Multipart;
import io.soilci.server.testing.SiteTrees;
import io.soilci.server.testing.TestServer;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The original Soil's files published through {@code /results} (our worker's way) and through
 * {@code /wwup} (Soil's unmodified shell client) give the same pages, and their zips are served.
 */
class SoilCompatibilityTest {
  private static final List<String> JOBS =
      List.of(
          "github-jobs/4101/cpp-small",
          "github-jobs/4101/dev-minimal",
          "github-jobs/4102/dev-minimal",
          "sourcehut-jobs/345/dev-minimal");

  private static final List<String> PAGES =
      List.of(
          "index.html",
          "github-jobs/index.html",
          "github-jobs/raw.html",
          "github-jobs/4101/index.html",
          "github-jobs/4102/index.html",
          "sourcehut-jobs/index.html",
          "sourcehut-jobs/345/index.html");

  @TempDir Path ours;
  @TempDir Path soils;

  @Test
  void publishingThroughResultsAndThroughWwupGivesTheSamePages() throws IOException {
    try (TestServer viaResults = TestServer.start(ours);
        TestServer viaWwup = TestServer.start(soils)) {
      for (String job : JOBS) {
        publishWithResults(viaResults, job);
        publishLikeSoil(viaWwup, job);
      }

      for (String page : PAGES) {
        assertThat(viaWwup.site.resolve(page)).as(page).exists();
        assertThat(Files.readString(viaWwup.site.resolve(page)))
            .as(page)
            .isEqualTo(Files.readString(viaResults.site.resolve(page)));
      }
    }
  }

  @Test
  void servesTheEntriesOfEveryPublishedZip() throws IOException {
    try (TestServer server = TestServer.start(ours)) {
      for (String job : JOBS) {
        publishLikeSoil(server, job);
      }

      for (String job : JOBS) {
        HttpResponse<String> index = server.get("/" + job + ".wwz/");
        HttpResponse<String> tsv = server.get("/" + job + ".wwz/_tmp/soil/INDEX.tsv");
        assertThat(index.statusCode()).as(job).isEqualTo(200);
        assertThat(tsv.body())
            .as(job)
            .isEqualTo(new String(SiteTrees.fixture(job + ".tsv"), StandardCharsets.UTF_8));
      }
    }
  }

  private static void publishWithResults(TestServer server, String job) {
    String[] parts = job.split("/");
    String host = parts[0].replace("-jobs", "");
    String token = host.equals("github") ? server.github : server.sourcehut;
    String runDir = parts[0] + "/" + parts[1];

    HttpResponse<String> response =
        server.post(
            "/results?workerHost=" + host + "&runId=" + parts[1] + "&jobName=" + parts[2],
            token,
            TestServer.fixtureJob(runDir, parts[2]));

    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
  }

  /** As Soil's {@code deploy-job-results} then {@code remote-event-job-done} do it. */
  private static void publishLikeSoil(TestServer server, String job) {
    String[] parts = job.split("/");
    String prefix = parts[0].replace("jobs", "");
    String token = prefix.equals("github-") ? server.github : server.sourcehut;
    Multipart form =
        new Multipart()
            .field("payload-type", parts[0])
            .field("subdir", parts[1])
            .file("file1", parts[2] + ".wwz", SiteTrees.fixture(job + ".wwz"))
            .file("file2", parts[2] + ".tsv", SiteTrees.fixture(job + ".tsv"))
            .file("file3", parts[2] + ".json", SiteTrees.fixture(job + ".json"));
    Multipart hook =
        new Multipart()
            .field("run-hook", "soil-event-job-done")
            .field("arg1", prefix)
            .field("arg2", parts[1]);

    HttpResponse<String> upload = server.post("/uuu/wwup.cgi", token, form);
    assertThat(upload.statusCode()).as(upload.body()).isEqualTo(200);
    HttpResponse<String> ran = server.post("/uuu/wwup.cgi", token, hook);
    assertThat(ran.statusCode()).as(ran.body()).isEqualTo(200);
  }
}
