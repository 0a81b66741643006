package io.soilci.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.soilci.server.testing.Multipart;
import io.soilci.server.testing.SiteTrees;
import io.soilci.server.testing.TestServer;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Issue 17, High 1: a JOB.json whose start time is beyond what {@code Instant} holds was stored,
 * and from then on neither {@code serve} nor {@code regen} started.
 */
class BadStoredFactsTest {
  private static final String BAD_TIME = "31556889864403200";
  private static final String RULE =
      "must be whole epoch seconds from 946684800 (2000-01-01T00:00:00Z) to one day after the"
          + " server's clock, e.g. 1763632800";

  @TempDir Path dir;

  /** The fixture job's JSON with its start time replaced by {@link #BAD_TIME}. */
  private static byte[] badJson() {
    String json =
        new String(SiteTrees.fixture("github-jobs/4101/cpp-small.json"), StandardCharsets.UTF_8);
    String bad = json.replace("\"1763632800\"", "\"" + BAD_TIME + "\"");
    assertThat(bad).isNotEqualTo(json).contains(BAD_TIME);
    return bad.getBytes(StandardCharsets.UTF_8);
  }

  /** A site holding Soil's fixtures and, in run 9, a job with the bad start time. */
  private Path plantedSite() throws IOException {
    Path site = dir.resolve("site");
    SiteTrees.copyFixtures(site);
    Path run = Files.createDirectories(site.resolve("github-jobs/9"));
    for (String ext : new String[] {".wwz", ".tsv"}) {
      Files.write(
          run.resolve("cpp-small" + ext), SiteTrees.fixture("github-jobs/4101/cpp-small" + ext));
    }
    Files.write(run.resolve("cpp-small.json"), badJson());
    return site;
  }

  @Test
  void refusesTheUploadWith400NamingTheKeyAndStoresNothing() throws IOException {
    try (TestServer server = TestServer.withFixtures(dir)) {
      String before = SiteTrees.checksum(server.site);

      HttpResponse<String> response =
          server.post(
              "/results?workerHost=github&runId=9&jobName=cpp-small",
              server.github,
              new Multipart()
                  .file("wwz", "cpp-small.wwz", SiteTrees.fixture("github-jobs/4101/cpp-small.wwz"))
                  .file("tsv", "cpp-small.tsv", SiteTrees.fixture("github-jobs/4101/cpp-small.tsv"))
                  .file("json", "cpp-small.json", badJson()));

      assertThat(response.body())
          .isEqualTo("cpp-small.json: task-run-start-time '" + BAD_TIME + "' " + RULE + "\n");
      assertThat(response.statusCode()).isEqualTo(400);
      assertThat(SiteTrees.checksum(server.site)).isEqualTo(before);
      assertThat(server.site.resolve("github-jobs/9")).doesNotExist();
    }
  }

  @Test
  void serveStartsOverAStoredBadJobAndListsItAsBroken() throws IOException {
    plantedSite();

    try (TestServer server = TestServer.start(dir)) {
      String page = server.get("/github-jobs/9/index.html").body();

      assertThat(unescape(page))
          .contains(
              "broken: github-jobs/9/cpp-small.json: task-run-start-time '"
                  + BAD_TIME
                  + "' "
                  + RULE);
      assertThat(server.get("/github-jobs/4101/index.html").statusCode()).isEqualTo(200);
      assertThat(unescape(server.get("/github-jobs/raw.html").body()))
          .contains("broken: github-jobs/9/cpp-small.json");
    }
  }

  @Test
  void regenExits0NamingTheBrokenJobAndBuildsEveryOtherPage() throws IOException {
    Path site = plantedSite();
    StringWriter err = new StringWriter();
    CommandLine cli = ServerCommand.commandLine();
    cli.setOut(new PrintWriter(new StringWriter(), true));
    cli.setErr(new PrintWriter(err, true));

    int status = cli.execute("regen", "--site", site.toString());

    assertThat(status).as(err.toString()).isZero();
    assertThat(err.toString())
        .isEqualTo(
            "regen: listed as broken: github-jobs/9/cpp-small.json: task-run-start-time '"
                + BAD_TIME
                + "' "
                + RULE
                + "\n");
    assertThat(unescape(Files.readString(site.resolve("github-jobs/9/index.html"))))
        .contains("broken: github-jobs/9/cpp-small.json");
    assertThat(site.resolve("github-jobs/4101/index.html")).exists();
  }

  private static String unescape(String html) {
    return html.replace("&#39;", "'").replace("&quot;", "\"").replace("&amp;", "&");
  }
}
