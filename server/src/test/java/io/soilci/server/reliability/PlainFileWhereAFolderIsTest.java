package io.soilci.server.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.soilci.server.testing.Multipart;
import io.soilci.server.testing.SiteTrees;
import io.soilci.server.testing.TestServer;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A plain file where the server's own folder should be (a run folder, the host folder, a status API
 * run folder), put there by an operator while the server was down: an upload or event into it is
 * answered 500 naming the file and how to fix it, the file is left as it was, and every other run
 * is still stored and served. A folder where a wwz should be is a 404 for its entries.
 */
class PlainFileWhereAFolderIsTest {
  private static final String TEXT = "not a folder\n";

  @TempDir Path dir;

  private Path site() throws IOException {
    Path site = Files.createDirectories(dir.resolve("site"));
    SiteTrees.copyFixtures(site);
    return site;
  }

  private static void replaceWithFile(Path folder) throws IOException {
    if (Files.exists(folder)) {
      try (Stream<Path> walk = Files.walk(folder)) {
        for (Path path : walk.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(path);
        }
      }
    }
    Files.createDirectories(folder.getParent());
    Files.writeString(folder, TEXT);
  }

  private static HttpResponse<String> upload(TestServer server, String run, String job) {
    return server.post(
        "/results?workerHost=github&runId=" + run + "&jobName=" + job,
        server.github,
        TestServer.fixtureJob("github-jobs/4101", "cpp-small"));
  }

  private static HttpResponse<String> startEvent(TestServer server, String run, String query) {
    return server.post(
        "/event?workerHost=github&eventName=start&runId=" + run + "&jobName=cpp-small" + query,
        server.github);
  }

  /** Another run's upload and page still work, and the answer leaked no stack trace. */
  private static void othersStillServed(TestServer server, String host) {
    HttpResponse<String> other =
        server.post(
            "/results?workerHost=" + host + "&runId=4200&jobName=cpp-small",
            host.equals("github") ? server.github : server.sourcehut,
            TestServer.fixtureJob("github-jobs/4101", "cpp-small"));
    assertThat(other.statusCode()).as(other.body()).isEqualTo(200);
    HttpResponse<String> page = server.get("/" + host + "-jobs/4200/");
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).contains("cpp-small");
  }

  private static void precise(HttpResponse<String> answer, String file) {
    assertThat(answer.statusCode()).as(answer.body()).isEqualTo(500);
    assertThat(answer.body())
        .isEqualTo(
            "SITE/"
                + file
                + " is a plain file where a folder should be, so nothing was stored there:"
                + " move it out of the site folder\n");
  }

  @Test
  void aRunFolderThatIsAFile() throws Exception {
    Path run = site().resolve("github-jobs/4101");
    replaceWithFile(run);
    try (TestServer server = TestServer.start(dir)) {
      precise(upload(server, "4101", "cpp-small"), "github-jobs/4101");
      precise(upload(server, "4101", "newjob"), "github-jobs/4101");
      precise(startEvent(server, "4101", ""), "github-jobs/4101");
      assertThat(Files.readString(run)).isEqualTo(TEXT);
      othersStillServed(server, "github");
      assertThat(server.get("/github-jobs/4102/").statusCode()).isEqualTo(200);
    }
  }

  /** Replaced while the server runs: a start over it fails, naming it (RELIABILITY.md). */
  @Test
  void theHostFolderThatIsAFile() throws Exception {
    try (TestServer server = TestServer.start(dir)) {
      Path host = server.site.resolve("github-jobs");
      replaceWithFile(host);
      precise(upload(server, "4101", "cpp-small"), "github-jobs");
      precise(startEvent(server, "4101", ""), "github-jobs");
      assertThat(Files.readString(host)).isEqualTo(TEXT);
      othersStillServed(server, "sourcehut");
    }
  }

  /**
   * A start writes the host's pages: over such a file they are warned of and left alone, the file
   * kept, and the server serves the other host; a write into it gets the precise 500.
   */
  @Test
  void aStartOverAHostFolderThatIsAFileWarnsAndServesTheOthers() throws Exception {
    Path host = Files.createDirectories(dir.resolve("site")).resolve("github-jobs");
    Files.writeString(host, TEXT);
    try (TestServer server = TestServer.start(dir)) {
      precise(upload(server, "4101", "cpp-small"), "github-jobs");
      assertThat(server.get("/").statusCode()).isEqualTo(200);
      othersStillServed(server, "sourcehut");
    }
    assertThat(Files.readString(host)).isEqualTo(TEXT);
  }

  /** Soil's uploader: a status file under such a file gets the precise 500, nothing stored. */
  @Test
  void aStatusFileFromWwupUnderAPlainFile() throws Exception {
    Path status = site().resolve("status-api/github/777");
    replaceWithFile(status);
    try (TestServer server = TestServer.start(dir)) {
      HttpResponse<String> answer =
          server.post(
              "/wwup",
              server.github,
              new Multipart()
                  .field("payload-type", "status-api")
                  .field("subdir", "github/777")
                  .file(
                      "file1",
                      "cpp-small.status.txt",
                      "0 4101\n".getBytes(StandardCharsets.UTF_8)));

      precise(answer, "status-api/github/777");
      assertThat(Files.readString(status)).isEqualTo(TEXT);
      othersStillServed(server, "github");
    }
  }

  @Test
  void aStatusApiRunFolderThatIsAFile() throws Exception {
    Path status = site().resolve("status-api/github/777");
    replaceWithFile(status);
    try (TestServer server = TestServer.start(dir)) {
      // The job runs: only its status run's page cannot be written (logged once, not retried).
      HttpResponse<String> start = startEvent(server, "4300", "&GITHUB_RUN_ID=777");
      assertThat(start.statusCode()).as(start.body()).isEqualTo(200);
      HttpResponse<String> done =
          server.post(
              "/event?workerHost=github&eventName=done&runId=4300&jobName=cpp-small&status=0"
                  + "&updateStatusApi=1&statusRunId=777",
              server.github);
      precise(done, "status-api/github/777");
      assertThat(Files.readString(status)).isEqualTo(TEXT);
      othersStillServed(server, "github");
    }
  }

  @Test
  void aWwzThatIsAFolder() throws Exception {
    Path wwz = site().resolve("github-jobs/4101/cpp-small.wwz");
    Files.delete(wwz);
    Files.createDirectories(wwz.resolve("some"));
    Files.writeString(wwz.resolve("some/entry"), TEXT);
    try (TestServer server = TestServer.start(dir)) {
      HttpResponse<String> entry = server.get("/github-jobs/4101/cpp-small.wwz/some/entry");
      assertThat(entry.statusCode()).isEqualTo(404);
      assertThat(entry.body()).isEqualTo("no such file: github-jobs/4101/cpp-small.wwz\n");
      assertThat(Files.readString(wwz.resolve("some/entry"))).isEqualTo(TEXT);
      othersStillServed(server, "github");
    }
  }
}
