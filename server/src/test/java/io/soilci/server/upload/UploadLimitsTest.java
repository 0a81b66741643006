package io.soilci.server.upload;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.soilci.server.config.Limits;
import io.soilci.server.testing.Multipart;
import io.soilci.server.testing.RawHttp;
import io.soilci.server.testing.SiteTrees;
import io.soilci.server.testing.TestServer;
import io.soilci.server.testing.Zips;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UploadLimitsTest {
  private static final String JOB = "/results?workerHost=github&runId=4101&jobName=cpp-small";

  @TempDir Path dir;
  private TestServer server;
  private String before;

  @BeforeEach
  void start() throws IOException {
    server =
        TestServer.withFixtures(
            dir,
            TestServer.limits(
                d ->
                    new Limits(
                        64 * 1024,
                        4,
                        8 * 1024,
                        10,
                        d.maxUncompressedBytes(),
                        d.maxCompressionRatio(),
                        1,
                        1 << 20)));
    before = SiteTrees.checksum(server.site);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private void assertNothingChanged() throws IOException {
    assertThat(SiteTrees.checksum(server.site)).isEqualTo(before);
  }

  private static Multipart bigJob() {
    return new Multipart().file("wwz", "cpp-small.wwz", new byte[200 * 1024]);
  }

  @Test
  void answers413ToADeclaredOversizeBody() throws IOException {
    HttpResponse<String> response = server.post(JOB, server.github, bigJob());

    assertThat(response.statusCode()).isEqualTo(413);
    assertThat(response.body()).isEqualTo("request body is larger than the limit of 65536 bytes\n");
    assertNothingChanged();
  }

  @Test
  void answers413ToAnOversizeChunkedBody() throws IOException {
    Multipart body = bigJob();

    HttpResponse<String> response =
        server.send(
            HttpRequest.newBuilder(server.uri(JOB))
                .header("Authorization", server.github)
                .header("Content-Type", body.contentType())
                .POST(
                    HttpRequest.BodyPublishers.ofInputStream(
                        () -> new ByteArrayInputStream(body.bytes())))
                .build());

    assertThat(response.statusCode()).isEqualTo(413);
    assertThat(response.body()).isEqualTo("request body is larger than the limit of 65536 bytes\n");
    assertNothingChanged();
  }

  @Test
  void answers413AndClosesWithoutReadingAHugeDeclaredBody() throws IOException {
    try (RawHttp raw = new RawHttp(server.port())) {
      raw.postHeaders(JOB, server.github, new Multipart().contentType(), 10L << 30);

      String response = raw.response();

      assertThat(response).startsWith("HTTP/1.1 413 ").containsIgnoringCase("connection: close");
      assertThat(response).endsWith("request body is larger than the limit of 65536 bytes\n");
    }
    assertNothingChanged();
  }

  @Test
  void rejectsMorePartsThanTheLimit() throws IOException {
    Multipart five =
        new Multipart().field("payload-type", "status-api").field("subdir", "github/94101");
    for (int i = 1; i <= 3; i++) {
      five.file("file" + i, "job" + i + ".status.txt", "0 4101\n".getBytes(UTF_8));
    }

    HttpResponse<String> response = server.post("/wwup", server.github, five);

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(response.body()).isEqualTo("request has more than 4 parts\n");
    assertNothingChanged();
  }

  @Test
  void rejectsAZipWithMoreEntriesThanTheLimit() throws IOException {
    HttpResponse<String> response =
        server.post(JOB, server.github, TestServer.fixtureJob("github-jobs/4101", "cpp-small"));

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(response.body())
        .isEqualTo("cpp-small.wwz has more than 10 entries (maxZipEntries)\n");
    assertNothingChanged();
  }

  @Test
  void rejectsAZipBombByItsRatio() throws IOException {
    byte[] bomb = Zips.zeros("zeros.txt", 8 << 20);
    Multipart body =
        new Multipart()
            .file("wwz", "cpp-small.wwz", bomb)
            .file("tsv", "cpp-small.tsv", SiteTrees.fixture("github-jobs/4101/cpp-small.tsv"))
            .file("json", "cpp-small.json", SiteTrees.fixture("github-jobs/4101/cpp-small.json"));

    HttpResponse<String> response = server.post(JOB, server.github, body);

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(response.body())
        .matches(
            "cpp-small.wwz entry 'zeros.txt' expands [0-9]+ times, more than"
                + " maxCompressionRatio 200\n");
    assertNothingChanged();
  }

  @Test
  void removesTheTempFileOfAnUploadCutOffMidStreamAndKeepsTheOldResults() throws Exception {
    byte[] body = TestServer.fixtureJob("github-jobs/4101", "cpp-small").bytes();
    try (RawHttp raw = new RawHttp(server.port())) {
      raw.postHeaders(JOB, server.github, new Multipart().contentType(), body.length);
      raw.write(Arrays.copyOf(body, body.length / 2));
      waitFor(() -> tempFiles() == 1);
    }

    waitFor(() -> tempFiles() == 0);

    assertNothingChanged();
    assertThat(server.get("/github-jobs/4101/cpp-small.wwz/_tmp/soil/logs/unit.txt").statusCode())
        .isEqualTo(200);
  }

  @Test
  void answers503WithRetryAfterPastTheUploadsInFlightLimit() throws Exception {
    byte[] body = TestServer.fixtureJob("github-jobs/4101", "cpp-small").bytes();
    try (RawHttp stalled = new RawHttp(server.port())) {
      stalled.postHeaders(JOB, server.github, new Multipart().contentType(), body.length);
      stalled.write(Arrays.copyOf(body, 500));
      waitFor(() -> server.get("/metrics").body().contains("soil_uploads_in_flight 1"));

      HttpResponse<String> response =
          server.post(
              "/results?workerHost=github&runId=4102&jobName=dev-minimal",
              server.github,
              TestServer.fixtureJob("github-jobs/4102", "dev-minimal"));

      assertThat(response.statusCode()).isEqualTo(503);
      assertThat(response.headers().firstValue("Retry-After")).contains("5");
      assertThat(response.body())
          .isEqualTo("too many uploads in flight (maxUploadsInFlight 1); retry in 5 seconds\n");
    }
    waitFor(() -> tempFiles() == 0);
    assertNothingChanged();
  }

  /** The temp files under the site now; -1 when one went away while being looked at (ask again). */
  private long tempFiles() {
    try (Stream<Path> files = Files.walk(server.site)) {
      return files.filter(p -> p.getFileName().toString().startsWith(".tmp-")).count();
    } catch (IOException | UncheckedIOException e) {
      // Files.walk stats each entry it lists: a temp file deleted in between (the server removing
      // the cut-off upload's) is thrown as an UncheckedIOException.
      return -1;
    }
  }

  private static void waitFor(java.util.function.BooleanSupplier condition)
      throws InterruptedException {
    for (int i = 0; i < 100 && !condition.getAsBoolean(); i++) {
      Thread.sleep(50);
    }
    assertThat(condition.getAsBoolean()).as("condition reached within 5 s").isTrue();
  }

  @Test
  void answersARefusedExpectContinueRequestWithoutWaitingForItsBody() throws IOException {
    try (RawHttp raw = new RawHttp(server.port())) {
      raw.write(
          ("POST "
                  + JOB
                  + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer gh:wrong\r\n"
                  + "Expect: 100-continue\r\nContent-Type: "
                  + new Multipart().contentType()
                  + "\r\nContent-Length: 50000\r\n\r\n")
              .getBytes(UTF_8));

      String response = raw.response();

      assertThat(response).startsWith("HTTP/1.1 401 ").endsWith("worker token not recognized\n");
    }
    assertNothingChanged();
  }

  @Test
  void sendsContinueThenStoresAnExpectContinueUpload() throws IOException {
    byte[] body = TestServer.fixtureJob("github-jobs/4102", "dev-minimal").bytes();
    try (RawHttp raw = new RawHttp(server.port())) {
      raw.write(
          ("POST /results?workerHost=github&runId=4102&jobName=dev-minimal HTTP/1.1\r\n"
                  + "Host: x\r\nAuthorization: "
                  + server.github
                  + "\r\n"
                  + "Expect: 100-continue\r\nContent-Type: "
                  + new Multipart().contentType()
                  + "\r\nContent-Length: "
                  + body.length
                  + "\r\n\r\n")
              .getBytes(UTF_8));

      assertThat(raw.head()).startsWith("HTTP/1.1 100 Continue");
      raw.write(body);
      assertThat(raw.response()).startsWith("HTTP/1.1 400 ");
    }
  }

  @Test
  void refusesHeadersLargerThanTheLimit() throws IOException {
    try (RawHttp raw = new RawHttp(server.port())) {
      raw.write(
          ("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(16 * 1024) + "\r\n\r\n")
              .getBytes(UTF_8));

      String response = raw.response();

      assertThat(response).startsWith("HTTP/1.1 400 ");
    }
  }
}
