package io.soilci.server.upload;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.soilci.server.testing.Multipart;
import io.soilci.server.testing.SiteTrees;
import io.soilci.server.testing.TestServer;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class WwupHandlerTest {
  @TempDir Path dir;
  private TestServer server;

  @BeforeEach
  void start() throws IOException {
    server = TestServer.withFixtures(dir);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  /** What Soil's {@code deploy-job-results} sends: payload-type, subdir, file1..file3. */
  static Multipart soilUpload(String payload, String subdir, String fixtureRun, String job) {
    return new Multipart()
        .field("payload-type", payload)
        .field("subdir", subdir)
        .file("file1", job + ".wwz", SiteTrees.fixture(fixtureRun + "/" + job + ".wwz"))
        .file("file2", job + ".tsv", SiteTrees.fixture(fixtureRun + "/" + job + ".tsv"))
        .file("file3", job + ".json", SiteTrees.fixture(fixtureRun + "/" + job + ".json"));
  }

  static Multipart runHook(String prefix, String run) {
    return new Multipart()
        .field("run-hook", "soil-event-job-done")
        .field("arg1", prefix)
        .field("arg2", run);
  }

  @Test
  void storesSoilsUploadAndUpdatesPagesOnTheRunHook() throws IOException {
    HttpResponse<String> upload =
        server.post(
            "/uuu/wwup.cgi",
            server.github,
            soilUpload("github-jobs", "5101", "github-jobs/4101", "cpp-small"));
    HttpResponse<String> hook = server.post("/wwup", server.github, runHook("github-", "5101"));

    assertThat(upload.body())
        .startsWith("--- wwup.cgi Upload ---")
        .contains("files = [cpp-small.wwz, cpp-small.tsv, cpp-small.json]");
    assertThat(upload.statusCode()).isEqualTo(200);
    assertThat(hook.body()).startsWith("--- wwup.cgi run-hook ---").contains("updated 1 jobs");
    assertThat(hook.statusCode()).isEqualTo(200);
    assertThat(server.site.resolve("github-jobs/5101/cpp-small.json"))
        .hasBinaryContent(SiteTrees.fixture("github-jobs/4101/cpp-small.json"));
    assertThat(server.get("/github-jobs/5101/").body()).contains("cpp-small");
  }

  @Test
  void storesAStatusFileUnderItsHostAndRun() {
    Multipart status =
        new Multipart()
            .field("payload-type", "status-api")
            .field("subdir", "github/95101")
            .file("file1", "cpp-small.status.txt", "1 2026-11-20__10-07-00\n".getBytes(UTF_8));

    HttpResponse<String> response = server.post("/wwup", server.statusOnly, status);

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(server.get("/status-api/github/95101/cpp-small.status.txt").body())
        .isEqualTo("1 2026-11-20__10-07-00\n");
  }

  /** Issue 17: a /wwup upload of only the TSV left 9 pages differing from regen. */
  @Test
  void aTsvAloneUpdatesTheStoredJobsPagesAsRegenWould() throws IOException {
    server.post(
        "/wwup",
        server.github,
        soilUpload("github-jobs", "5101", "github-jobs/4101", "dev-minimal"));
    String failing = "0\t1.000000\tbuild\tb.sh\tall\t-\n3\t2.000000\tunit\tu.sh\tall\t-\n";

    HttpResponse<String> response =
        server.post(
            "/wwup",
            server.github,
            new Multipart()
                .field("payload-type", "github-jobs")
                .field("subdir", "5101")
                .file("file1", "dev-minimal.tsv", failing.getBytes(UTF_8)));

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(server.site.resolve("github-jobs/5101/dev-minimal.tsv")).hasContent(failing);
    Path copy = dir.resolve("regen");
    try (Stream<Path> files = java.nio.file.Files.walk(server.site)) {
      for (Path file : files.toList()) {
        java.nio.file.Files.copy(file, copy.resolve(server.site.relativize(file).toString()));
      }
    }
    try (io.soilci.server.site.Site regen =
        io.soilci.server.site.Site.open(
            new io.soilci.server.site.SiteSettings(
                copy,
                io.soilci.server.config.ServerConfig.defaults(copy).keepRuns(),
                java.util.Optional.empty()))) {
      regen.regenerateAll();
    }
    assertThat(SiteTrees.checksum(copy)).isEqualTo(SiteTrees.checksum(server.site));
    assertThat(java.nio.file.Files.readString(server.site.resolve("github-jobs/5101/index.html")))
        .contains("task unit");
  }

  @Test
  void showsItsUsageOnGet() {
    HttpResponse<String> response = server.get("/uuu/wwup.cgi");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).startsWith("wwup.cgi - HTTP uploader");
  }

  static Stream<Arguments> badForms() {
    byte[] json = SiteTrees.fixture("github-jobs/4101/cpp-small.json");
    String runRule =
        "' must be 1-100 letters, digits, '.', '_' or '-', starting with a letter or digit";
    return Stream.of(
        Arguments.of(
            soilUpload("github-jobs", "../4101", "github-jobs/4101", "cpp-small"),
            "subdir '../4101' must be one folder, the run, e.g. 4101"),
        Arguments.of(
            soilUpload("github-jobs", "..", "github-jobs/4101", "cpp-small"),
            "runId '.." + runRule),
        Arguments.of(
            soilUpload("github-jobs", "raw.html", "github-jobs/4101", "cpp-small"),
            "runId 'raw.html' is reserved for the site's pages; use another run name"),
        Arguments.of(
            soilUpload("osh-runtime", "4101", "github-jobs/4101", "cpp-small"),
            "payload-type 'osh-runtime' must be one of github-jobs, sourcehut-jobs, status-api"),
        Arguments.of(
            new Multipart().file("file1", "cpp-small.json", json),
            "form fields payload-type and subdir must come before file1"),
        Arguments.of(
            new Multipart()
                .field("payload-type", "github-jobs")
                .field("subdir", "4101")
                .file("file1", "index.html", "<script>".getBytes(UTF_8)),
            "file 'index.html' must be named JOB.wwz, JOB.tsv or JOB.json"),
        Arguments.of(
            new Multipart()
                .field("payload-type", "github-jobs")
                .field("subdir", "4101")
                .file("file1", "..%2Fx.json", json),
            "jobName '..%2Fx" + runRule),
        Arguments.of(
            new Multipart()
                .field("payload-type", "github-jobs")
                .field("subdir", "4101")
                .file("file1", "dev-minimal.json", json),
            "dev-minimal.json: job-name 'cpp-small' must equal the job's name 'dev-minimal'"),
        Arguments.of(
            new Multipart()
                .field("payload-type", "status-api")
                .field("subdir", "github/../../etc")
                .file("file1", "x.status.txt", "0 1\n".getBytes(UTF_8)),
            "subdir 'github/../../etc' must be HOST/RUN_ID for status-api, e.g. github/94101"),
        Arguments.of(
            new Multipart()
                .field("payload-type", "status-api")
                .field("subdir", "github/..")
                .file("file1", "x.status.txt", "0 1\n".getBytes(UTF_8)),
            "runId '.." + runRule),
        Arguments.of(
            new Multipart()
                .field("payload-type", "status-api")
                .field("subdir", "github/94101")
                .file("file1", "x.status.txt", "passed\n".getBytes(UTF_8)),
            "status file 'x.status.txt' must be one line '<status> <job id>' with status 0-255, e.g."
                + " '0 4101'"),
        // Issue 17: a status no exit code can have was accepted.
        Arguments.of(
            new Multipart()
                .field("payload-type", "status-api")
                .field("subdir", "github/94101")
                .file("file1", "x.status.txt", "999 4101\n".getBytes(UTF_8)),
            "status file 'x.status.txt' must be one line '<status> <job id>' with status 0-255, e.g."
                + " '0 4101'"),
        // Issue 17: a NUL in a file name got Undertow's 500 with a stack trace.
        Arguments.of(
            new Multipart()
                .field("payload-type", "github-jobs")
                .field("subdir", "4101")
                .file("file1", "c\0.json", json),
            "part 'file1' file name 'c\\x00.json' must not contain a NUL character"),
        // Issue 17: run-hook sent with files answered 200 and dropped the files.
        Arguments.of(
            soilUpload("github-jobs", "5101", "github-jobs/4101", "cpp-small")
                .field("run-hook", "soil-event-job-done")
                .field("arg1", "github-")
                .field("arg2", "5101"),
            "form field 'run-hook' must come without payload-type, subdir and files: upload the"
                + " files in one request, then run the hook in another"),
        Arguments.of(
            new Multipart().field("run-hook", "rm-rf").field("arg1", "/"),
            "run-hook 'rm-rf' must be soil-event-job-done or soil-cleanup-status-api"),
        Arguments.of(
            runHook("gitlab-", "4101"), "arg1 'gitlab-' must be the prefix github- or sourcehut-"),
        Arguments.of(runHook("github-", "..%2F.."), "runId '..%2F.." + runRule),
        Arguments.of(
            new Multipart().field("payload-type", "github-jobs").field("extra", "1"),
            "form field 'extra' must be one of payload-type, subdir, file1..fileN, run-hook,"
                + " arg1..arg3"));
  }

  @ParameterizedTest
  @MethodSource("badForms")
  void rejectsABadFormWith400AndChangesNothing(Multipart form, String message) throws IOException {
    String before = SiteTrees.checksum(server.site);

    HttpResponse<String> response = server.post("/wwup", server.github, form);

    assertThat(response.body()).isEqualTo(message + "\n");
    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(SiteTrees.checksum(server.site)).isEqualTo(before);
  }

  @Test
  void refusesAPayloadTypeOutsideTheWorkersScopes() throws IOException {
    String before = SiteTrees.checksum(server.site);

    HttpResponse<String> response =
        server.post(
            "/wwup",
            server.sourcehut,
            soilUpload("github-jobs", "4101", "github-jobs/4101", "cpp-small"));

    assertThat(response.statusCode()).isEqualTo(403);
    assertThat(response.body()).isEqualTo("worker 'srht' may not write 'github-jobs'\n");
    assertThat(SiteTrees.checksum(server.site)).isEqualTo(before);
  }

  @Test
  void asksForCredentialsWithout() throws IOException {
    String before = SiteTrees.checksum(server.site);

    HttpResponse<String> response =
        server.send(
            java.net.http.HttpRequest.newBuilder(server.uri("/wwup"))
                .header("Content-Type", new Multipart().contentType())
                .POST(
                    java.net.http.HttpRequest.BodyPublishers.ofByteArray(
                        soilUpload("github-jobs", "4101", "github-jobs/4101", "cpp-small").bytes()))
                .build());

    assertThat(response.statusCode()).isEqualTo(401);
    assertThat(response.headers().firstValue("WWW-Authenticate")).isPresent();
    assertThat(SiteTrees.checksum(server.site)).isEqualTo(before);
  }
}
