package io.soilci.server.upload;

import static org.assertj.core.api.Assertions.assertThat;

import io.soilci.server.config.Guards;
import io.soilci.server.config.Limits;
import io.soilci.server.testing.Multipart;
import io.soilci.server.testing.RawHttp;
import io.soilci.server.testing.TestServer;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Upload permits cannot be hoarded: a minimum body rate, and a share per worker. */
class UploadPacingTest {
  private static final String RESULTS = "/results?workerHost=github&runId=4101&jobName=cpp-small";
  private static final String TYPE = "multipart/form-data; boundary=" + Multipart.BOUNDARY;

  @TempDir Path dir;

  private static Guards guards(int minBytesPerSecond, int windowSeconds, int perWorker) {
    Guards d = Guards.DEFAULTS;
    return new Guards(
        d.idleTimeoutSeconds(),
        d.requestParseTimeoutSeconds(),
        d.readTimeoutSeconds(),
        d.writeTimeoutSeconds(),
        minBytesPerSecond,
        windowSeconds,
        perWorker,
        d.loginFailuresPerAddress(),
        d.loginFailuresPerName(),
        d.loginFailureWindowSeconds(),
        d.maxWaitingAtStart());
  }

  private static Limits onePermit(Limits d) {
    return new Limits(
        d.maxRequestBytes(),
        d.maxParts(),
        d.maxHeaderBytes(),
        d.maxZipEntries(),
        d.maxUncompressedBytes(),
        d.maxCompressionRatio(),
        1,
        d.drainBytes());
  }

  @Test
  void cutsAnUploadSlowerThanTheMinimumRateWith408AndFreesItsPermit() throws Exception {
    try (TestServer server =
            TestServer.withFixtures(
                dir, c -> c.withGuards(guards(1000, 2, 4)).withLimits(onePermit(c.limits())));
        RawHttp slow = new RawHttp(server.port())) {
      slow.postHeaders(RESULTS, server.github, TYPE, 100_000);
      String answer = null;
      for (int i = 0; i < 40 && answer == null; i++) {
        try {
          slow.write("x".getBytes(StandardCharsets.US_ASCII));
        } catch (java.io.IOException e) {
          answer = slow.response();
        }
        Thread.sleep(250);
      }
      if (answer == null) {
        answer = slow.response();
      }

      HttpResponse<String> next =
          server.post(
              RESULTS, server.github, TestServer.fixtureJob("github-jobs/4101", "cpp-small"));

      assertThat(answer)
          .startsWith("HTTP/1.1 408 ")
          .containsPattern(
              "request body arrived at [0-9]+ bytes/s over 2 s, below the minimum of 1000 bytes/s"
                  + " \\(guards.minBodyBytesPerSecond\\); the request was cut, retry on a faster"
                  + " link\n");
      assertThat(next.statusCode()).isEqualTo(200);
    }
  }

  @Test
  void oneWorkerHoldsAtMostItsShareOfTheUploadPermits() throws Exception {
    try (TestServer server = TestServer.withFixtures(dir, c -> c.withGuards(guards(1, 60, 2)));
        RawHttp first = new RawHttp(server.port());
        RawHttp second = new RawHttp(server.port())) {
      first
          .postHeaders(RESULTS, server.github, TYPE, 100_000)
          .write("--".getBytes(StandardCharsets.UTF_8));
      second
          .postHeaders(RESULTS, server.github, TYPE, 100_000)
          .write("--".getBytes(StandardCharsets.UTF_8));
      Thread.sleep(1000);

      HttpResponse<String> third =
          server.post(
              RESULTS, server.github, TestServer.fixtureJob("github-jobs/4101", "cpp-small"));
      HttpResponse<String> otherWorker =
          server.post(
              "/wwup",
              server.statusOnly,
              new Multipart()
                  .field("payload-type", "status-api")
                  .field("subdir", "github/94101")
                  .file(
                      "file1",
                      "cpp-small.status.txt",
                      "0 cpp-small\n".getBytes(StandardCharsets.UTF_8)));

      assertThat(third.statusCode()).isEqualTo(503);
      assertThat(third.body())
          .isEqualTo(
              "worker 'gh' already has 2 uploads in flight (guards.maxUploadsPerWorker 2); retry"
                  + " in 5 seconds\n");
      assertThat(third.headers().firstValue("Retry-After")).contains("5");
      assertThat(otherWorker.statusCode()).as(otherWorker.body()).isEqualTo(200);
    }
  }
}
