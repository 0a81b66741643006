package io.soilci.server.upload;

import static org.assertj.core.api.Assertions.assertThat;

import io.soilci.server.testing.Multipart;
import io.soilci.server.testing.SiteTrees;
import io.soilci.server.testing.TestServer;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every id that becomes a path passes the one rule at upload, and no write follows a stored id out
 * of the site root (issue 17, finding 4 and the low ones on run and commit names).
 */
class PathIdsTest {
  private static final String JOB = "/results?workerHost=github&runId=4101&jobName=cpp-small";
  private static final String RULE =
      "' must be 1-100 letters, digits, '.', '_' or '-', starting with a letter or digit";

  @TempDir Path dir;
  private final Path outside = Path.of("/tmp", "soil-escape-" + UUID.randomUUID());
  private @Nullable TestServer server;

  private TestServer srv() {
    return java.util.Objects.requireNonNull(server);
  }

  @AfterEach
  void stop() throws IOException {
    if (server != null) {
      server.close();
    }
    assertThat(outside).doesNotExist();
  }

  /** {@code "../../../../../tmp/soil-escape-…"}: from any folder depth, that lands in /tmp. */
  private String escapingId() {
    return "../".repeat(20) + "tmp/" + outside.getFileName();
  }

  private static String fixtureJson() {
    return new String(SiteTrees.fixture("github-jobs/4101/cpp-small.json"), StandardCharsets.UTF_8);
  }

  private static Multipart withJson(String json) {
    return new Multipart()
        .file("wwz", "cpp-small.wwz", SiteTrees.fixture("github-jobs/4101/cpp-small.wwz"))
        .file("tsv", "cpp-small.tsv", SiteTrees.fixture("github-jobs/4101/cpp-small.tsv"))
        .file("json", "cpp-small.json", json.getBytes(StandardCharsets.UTF_8));
  }

  private void refused(String query, Multipart body, String message) throws IOException {
    String before = SiteTrees.checksum(srv().site);

    HttpResponse<String> response = srv().post(query, srv().github, body);

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(response.body()).isEqualTo(message + "\n");
    assertThat(SiteTrees.checksum(srv().site)).isEqualTo(before);
  }

  @Test
  void refusesAGithubRunIdThatLeavesTheSiteThenItsDoneEvent() throws IOException {
    server = TestServer.withFixtures(dir);
    String id = escapingId();

    refused(
        JOB,
        withJson(fixtureJson().replace("\"94101\"", "\"" + id + "\"")),
        "cpp-small.json: GITHUB_RUN_ID '" + id + RULE);
    String before = SiteTrees.checksum(srv().site);
    HttpResponse<String> done =
        srv()
            .post(
                "/event?eventName=done&status=0&updateStatusApi=1&workerHost=github&runId=4101"
                    + "&jobName=cpp-small",
                srv().github);

    assertThat(done.statusCode()).isEqualTo(200);
    assertThat(srv().site.resolve("status-api/github/94101/cpp-small.status.txt"))
        .content()
        .startsWith("0 ");
    assertThat(SiteTrees.checksum(srv().site)).isNotEqualTo(before);
  }

  @Test
  void refusesADoneEventWhoseStoredGithubRunIdLeavesTheSite() throws IOException {
    Path site = Files.createDirectories(dir.resolve("site"));
    SiteTrees.copyFixtures(site);
    String id = escapingId();
    Path json = site.resolve("github-jobs/4101/cpp-small.json");
    Files.writeString(json, fixtureJson().replace("\"94101\"", "\"" + id + "\""));
    server = TestServer.start(dir);
    String before = SiteTrees.checksum(srv().site);

    HttpResponse<String> done =
        srv()
            .post(
                "/event?eventName=done&status=0&updateStatusApi=1&workerHost=github&runId=4101"
                    + "&jobName=cpp-small",
                srv().github);

    assertThat(done.statusCode()).isEqualTo(400);
    assertThat(done.body())
        .isEqualTo(
            "GITHUB_RUN_ID of github-jobs/4101/cpp-small (pass statusRunId to override it) '"
                + id
                + RULE
                + "\n");
    assertThat(SiteTrees.checksum(srv().site)).isEqualTo(before);
  }

  @Test
  void refusesAStatusRunIdInTheEventThatLeavesTheSite() throws IOException {
    server = TestServer.withFixtures(dir);
    String before = SiteTrees.checksum(srv().site);

    HttpResponse<String> done =
        srv()
            .post(
                "/event?eventName=done&status=0&updateStatusApi=1&workerHost=github&runId=4101"
                    + "&jobName=cpp-small&statusRunId=..%2F..%2Ftmp%2F"
                    + outside.getFileName(),
                srv().github);

    assertThat(done.statusCode()).isEqualTo(400);
    assertThat(done.body())
        .isEqualTo("statusRunId '../../tmp/" + outside.getFileName() + RULE + "\n");
    assertThat(SiteTrees.checksum(srv().site)).isEqualTo(before);
  }

  @Test
  void refusesACommitHashThatIsNotLowercaseHex() throws IOException {
    server = TestServer.withFixtures(dir);

    refused(
        JOB,
        withJson(
            fixtureJson()
                .replace(
                    "07ee33e4bb59fd268d5cc7200578668347eb96ec",
                    "07EE33E4BB59FD268D5CC7200578668347EB96EC")),
        "cpp-small.json: commit-hash '07EE33E4BB59FD268D5CC7200578668347EB96EC' must be 7-64"
            + " lowercase hex digits, as git prints a commit hash");
    refused(
        JOB,
        withJson(fixtureJson().replace("07ee33e4bb59fd268d5cc7200578668347eb96ec", "../../index")),
        "cpp-small.json: commit-hash '../../index' must be 7-64 lowercase hex digits, as git"
            + " prints a commit hash");
  }

  @Test
  void refusesAPullRequestHeadThatIsNotACommitHash() throws IOException {
    server = TestServer.withFixtures(dir);

    refused(
        JOB,
        withJson(
            fixtureJson()
                .replace("\"GITHUB_PR_HEAD_SHA\": null", "\"GITHUB_PR_HEAD_SHA\": \"main\"")),
        "cpp-small.json: GITHUB_PR_HEAD_SHA 'main' must be 7-64 lowercase hex digits, as git"
            + " prints a commit hash");
  }

  @Test
  void refusesARunIdThatWouldBeServedAsAZip() throws IOException {
    server = TestServer.withFixtures(dir);
    String message =
        "runId 'x.wwz' must not end in '.wwz': its pages would be served as a job's zip; use"
            + " another run name";

    refused(
        "/results?workerHost=github&runId=x.wwz&jobName=cpp-small",
        TestServer.fixtureJob("github-jobs/4101", "cpp-small"),
        message);
    String before = SiteTrees.checksum(srv().site);
    HttpResponse<String> start =
        srv()
            .post(
                "/event?eventName=start&workerHost=github&runId=x.wwz&jobName=cpp-small",
                srv().github);

    assertThat(start.statusCode()).isEqualTo(400);
    assertThat(start.body()).isEqualTo(message + "\n");
    assertThat(SiteTrees.checksum(srv().site)).isEqualTo(before);
  }

  @Test
  void refusesARunNamedLikeTheBadgesFolder() throws IOException {
    server = TestServer.withFixtures(dir);

    refused(
        "/results?workerHost=github&runId=badges&jobName=cpp-small",
        TestServer.fixtureJob("github-jobs/4101", "cpp-small"),
        "runId 'badges' is reserved for the site's pages; use another run name");
  }

  @Test
  void acceptsSoilsOwnFixturesUnchanged() throws IOException {
    server = TestServer.start(dir);

    for (String job : new String[] {"cpp-small", "dev-minimal"}) {
      HttpResponse<String> response =
          srv()
              .post(
                  "/results?workerHost=github&runId=4101&jobName=" + job,
                  srv().github,
                  TestServer.fixtureJob("github-jobs/4101", job));

      assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    }
  }
}
