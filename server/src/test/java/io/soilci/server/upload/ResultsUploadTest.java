package io.soilci.server.upload;

import static org.assertj.core.api.Assertions.assertThat;

import io.soilci.server.testing.Multipart;
import io.soilci.server.testing.SiteTrees;
import io.soilci.server.testing.TestServer;
import io.soilci.server.testing.Zips;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ResultsUploadTest {
  private static final String JOB = "/results?workerHost=github&runId=4101&jobName=cpp-small";
  private static final String RULE =
      "' must be 1-100 letters, digits, '.', '_' or '-', starting with a letter or digit";

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

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static Multipart job(byte[] wwz, byte[] tsv, byte[] json) {
    return new Multipart()
        .file("wwz", "cpp-small.wwz", wwz)
        .file("tsv", "cpp-small.tsv", tsv)
        .file("json", "cpp-small.json", json);
  }

  private static byte[] fixture(String file) {
    return SiteTrees.fixture("github-jobs/4101/" + file);
  }

  private static Multipart withWwz(byte[] wwz) {
    return job(wwz, fixture("cpp-small.tsv"), fixture("cpp-small.json"));
  }

  private static Multipart withTsv(String tsv) {
    return job(fixture("cpp-small.wwz"), utf8(tsv), fixture("cpp-small.json"));
  }

  private static Multipart withJson(String json) {
    return job(fixture("cpp-small.wwz"), fixture("cpp-small.tsv"), utf8(json));
  }

  private static final Multipart GOOD = TestServer.fixtureJob("github-jobs/4101", "cpp-small");

  static Stream<Arguments> badUploads() {
    byte[] wwz = fixture("cpp-small.wwz");
    String long101 = "a".repeat(101);
    return Stream.of(
        Arguments.of(
            "/results?workerHost=github&runId=4101&jobName=a%2Fb", GOOD, "jobName 'a/b" + RULE),
        Arguments.of(
            "/results?workerHost=github&runId=4101&jobName=..", GOOD, "jobName '.." + RULE),
        Arguments.of(
            "/results?workerHost=github&runId=4101&jobName=a%00b", GOOD, "jobName 'a\\x00b" + RULE),
        Arguments.of(
            "/results?workerHost=github&runId=4101&jobName=" + long101,
            GOOD,
            "jobName '" + long101 + RULE),
        Arguments.of(
            "/results?workerHost=github&runId=..%2F..%2Fetc&jobName=cpp-small",
            GOOD, "runId '../../etc" + RULE),
        Arguments.of(
            "/results?workerHost=..%2Fgithub&runId=4101&jobName=cpp-small",
            GOOD, "workerHost '../github' must be one of github, sourcehut"),
        Arguments.of(
            "/results?workerHost=github&runId=commits&jobName=cpp-small",
            GOOD,
            "runId 'commits' is reserved for the site's pages; use another run name"),
        Arguments.of(
            "/results?workerHost=github&runId=4101&jobName=index",
            GOOD,
            "jobName 'index' is reserved: RUN/index.json is the run JSON's old address and redirects to json/index.json; use another job name"),
        Arguments.of(
            "/results?workerHost=github&jobName=cpp-small",
            GOOD,
            "query parameter 'runId' is required"),
        Arguments.of(
            JOB,
            new Multipart()
                .file("wwz", "cpp-small.wwz", wwz)
                .file("tsv", "cpp-small.tsv", fixture("cpp-small.tsv")),
            "part 'json' (the job's .json file) is missing"),
        Arguments.of(
            JOB,
            new Multipart().file("log", "x.txt", utf8("x")),
            "part 'log' must be one of wwz, tsv, json"),
        Arguments.of(
            JOB,
            new Multipart()
                .file("tsv", "a.tsv", fixture("cpp-small.tsv"))
                .file("tsv", "b.tsv", fixture("cpp-small.tsv")),
            "the tsv file (cpp-small.tsv) was sent twice"),
        Arguments.of(
            JOB,
            withTsv("0\t1.5\tunit\n"),
            "cpp-small.tsv line 1: has 3 columns, expected 6 (status, elapsed, name, script_name,"
                + " func, results_url)"),
        Arguments.of(
            JOB,
            withTsv("0\t1.0\tos-info\ta.sh\tf\t-\nfail\t1.0\tunit\ta.sh\tf\t-\n"),
            "cpp-small.tsv line 2: status 'fail' must be 0-255 in ASCII digits"),
        Arguments.of(JOB, withJson("[\"cpp-small\"]"), "cpp-small.json must be a JSON object"),
        Arguments.of(
            JOB,
            withJson("{\"commit-hash\": \"abc\"}"),
            "cpp-small.json: JOB.json must have a string \"job-name\""),
        Arguments.of(
            JOB,
            job(wwz, fixture("cpp-small.tsv"), fixture("dev-minimal.json")),
            "cpp-small.json: job-name 'dev-minimal' must equal the job's name 'cpp-small'"),
        Arguments.of(
            JOB,
            withWwz(Arrays.copyOf(wwz, wwz.length - 30)),
            "cpp-small.wwz is not a readable zip file: Archive is not a ZIP archive"),
        Arguments.of(
            JOB,
            withWwz(Zips.markedEncrypted(Zips.of(Map.of("secret.txt", "x")))),
            "cpp-small.wwz entry 'secret.txt' is encrypted"),
        Arguments.of(
            JOB,
            withWwz(Zips.of(Map.of("../../index.html", "x"))),
            "cpp-small.wwz entry '../../index.html' must be a relative path of at most 1024"
                + " characters with no '..', '.', empty segment, backslash or control character"),
        Arguments.of(
            JOB,
            withWwz(Zips.duplicated("index.html")),
            "cpp-small.wwz entry 'index.html' appears more than once"),
        Arguments.of(
            JOB,
            withWwz(Zips.symlink("_tmp/soil/logs/unit.txt")),
            "cpp-small.wwz entry '_tmp/soil/logs/unit.txt' is a symbolic link"),
        // Issue 17: entry data was never read at upload, then every GET of it answered 500.
        Arguments.of(
            JOB,
            withWwz(Zips.claimingSize(Zips.of(Map.of("a.txt", "hello")), 100)),
            "cpp-small.wwz entry 'a.txt' holds 5 bytes, not its declared size 100"),
        Arguments.of(
            JOB,
            withWwz(Zips.claimingCrc(Zips.of(Map.of("a.txt", "hello")), 0x12345678)),
            "cpp-small.wwz entry 'a.txt' fails its CRC check: its data gives 3610a686, the zip"
                + " says 12345678"),
        Arguments.of(
            JOB,
            withWwz(Zips.corruptDeflate(Zips.of(Map.of("a.txt", "hello")))),
            "cpp-small.wwz entry 'a.txt' has corrupt data: invalid block type"),
        // Issue 17: a NUL in a part's file name got Undertow's 500 with a stack trace.
        Arguments.of(
            JOB,
            new Multipart()
                .file("wwz", "cpp-small.wwz", wwz)
                .file("tsv", "cpp-small.tsv", fixture("cpp-small.tsv"))
                .file("json", "c\0.json", fixture("cpp-small.json")),
            "part 'json' file name 'c\\x00.json' must not contain a NUL character"),
        // Issue 17: statuses Integer.parseInt takes but a shell never prints.
        Arguments.of(
            JOB,
            withTsv("+5\t1.0\tunit\ta.sh\tf\t-\n"),
            "cpp-small.tsv line 1: status '+5' must be 0-255 in ASCII digits"),
        Arguments.of(
            JOB,
            withTsv("\u0663\t1.0\tunit\ta.sh\tf\t-\n"),
            "cpp-small.tsv line 1: status '\u0663' must be 0-255 in ASCII digits"));
  }

  @ParameterizedTest
  @MethodSource("badUploads")
  void rejectsBadInputWith400AndChangesNothing(String query, Multipart body, String message)
      throws IOException {
    String before = SiteTrees.checksum(server.site);

    HttpResponse<String> response = server.post(query, server.github, body);

    assertThat(response.body()).isEqualTo(message + "\n");
    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(SiteTrees.checksum(server.site)).isEqualTo(before);
  }

  @Test
  void rejectsABodyThatIsNotMultipart() throws IOException {
    String before = SiteTrees.checksum(server.site);

    HttpResponse<String> response =
        server.send(
            java.net.http.HttpRequest.newBuilder(server.uri(JOB))
                .header("Authorization", server.github)
                .header("Content-Type", "text/plain")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("hello"))
                .build());

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(response.body())
        .isEqualTo("Content-Type 'text/plain' must be multipart/form-data\n");
    assertThat(SiteTrees.checksum(server.site)).isEqualTo(before);
  }

  @Test
  void storesTheThreeFilesThenAnswers200() throws IOException {
    HttpResponse<String> response =
        server.post(
            "/results?workerHost=github&runId=5001&jobName=cpp-small",
            server.github,
            TestServer.fixtureJob("github-jobs/4101", "cpp-small"));

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("stored github-jobs/5001/cpp-small (3 tasks)\n");
    for (String ext : new String[] {".wwz", ".tsv", ".json"}) {
      assertThat(server.site.resolve("github-jobs/5001/cpp-small" + ext))
          .hasBinaryContent(fixture("cpp-small" + ext));
    }
    assertThat(server.get("/github-jobs/5001/").body()).contains("cpp-small");
  }

  @Test
  void acceptsSourcehutsJobIdForTheRun() throws IOException {
    HttpResponse<String> response =
        server.post(
            "/results?workerHost=sourcehut&jobId=346&jobName=dev-minimal",
            server.sourcehut,
            TestServer.fixtureJob("sourcehut-jobs/345", "dev-minimal"));

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(server.site.resolve("sourcehut-jobs/346/dev-minimal.json")).exists();
  }

  @Test
  void leavesNoTempFileAndNoNewFolderAfterARefusal() throws IOException {
    server.post(
        "/results?workerHost=github&runId=6001&jobName=cpp-small",
        server.github,
        withTsv("not a table\n"));

    assertThat(server.site.resolve("github-jobs/6001")).doesNotExist();
    try (Stream<Path> files = Files.walk(server.site)) {
      assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith(".tmp-"));
    }
  }

  @Test
  void refusesATaskTableWithCrLfLineEndsNamingTheLine() throws IOException {
    String before = SiteTrees.checksum(server.site);
    String lf = new String(fixture("cpp-small.tsv"), StandardCharsets.UTF_8);

    HttpResponse<String> response =
        server.post(
            "/results?workerHost=github&runId=6002&jobName=cpp-small",
            server.github,
            withTsv(lf.replace("\n", "\r\n")));

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(response.body())
        .isEqualTo(
            "cpp-small.tsv line 1 ends with CR LF (\"\\r\\n\"): Soil's task table ends each"
                + " line with LF (\"\\n\") alone, as its worker writes it; convert the file (e.g."
                + " dos2unix cpp-small.tsv) and upload it again\n");
    assertThat(server.site.resolve("github-jobs/6002")).doesNotExist();
    assertThat(SiteTrees.checksum(server.site)).isEqualTo(before);
  }
}
