package io.soilci.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.soilci.server.http.Refusal;
import io.soilci.server.testing.Multipart;
import io.soilci.server.testing.SiteTrees;
import io.soilci.server.testing.TestGuards;
import io.soilci.server.testing.TestServer;
import java.io.IOException;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The rules in front of every write: no browser, no challenge, limited failed logins. */
class CredentialGateTest {
  private static final String DONE =
      "/event?eventName=done&workerHost=github&runId=8001&jobName=dev-minimal&status=0"
          + "&updateStatusApi=1";

  @TempDir Path dir;

  private static HttpRequest.Builder post(TestServer server, String path, String authorization) {
    return HttpRequest.newBuilder(server.uri(path))
        .header("Authorization", authorization)
        .POST(HttpRequest.BodyPublishers.noBody());
  }

  @Test
  void refusesAWriteFromABrowserEvenWithAValidToken() throws IOException {
    try (TestServer server = TestServer.withFixtures(dir)) {
      String before = SiteTrees.checksum(server.site);

      HttpResponse<String> response =
          server.send(post(server, DONE, server.github).header("Origin", "null").build());

      assertThat(response.statusCode()).isEqualTo(403);
      assertThat(response.body())
          .isEqualTo(
              "writes are not accepted from a web browser (the request has a 'Origin' header): a"
                  + " page must not publish with a viewer's credentials; publish with soil-worker"
                  + " or curl\n");
      assertThat(SiteTrees.checksum(server.site)).isEqualTo(before);
    }
  }

  @Test
  void refusesAFetchMarkedCrossSiteByTheBrowser() throws IOException {
    try (TestServer server = TestServer.withFixtures(dir)) {
      HttpResponse<String> response =
          server.send(
              post(server, DONE, server.github).header("Sec-Fetch-Site", "cross-site").build());

      assertThat(response.statusCode()).isEqualTo(403);
      assertThat(response.body()).contains("(the request has a 'Sec-Fetch-Site' header)");
    }
  }

  @Test
  void refusesABrowsersFormPostToWwupWithBasicCredentials() throws IOException {
    try (TestServer server = TestServer.withFixtures(dir)) {
      String basic =
          "Basic "
              + Base64.getEncoder()
                  .encodeToString(
                      server.github.substring("Bearer ".length()).getBytes(StandardCharsets.UTF_8));
      Multipart form =
          new Multipart()
              .field("run-hook", "soil-event-job-done")
              .field("arg1", "github-")
              .field("arg2", "4101");

      HttpResponse<String> response =
          server.send(
              HttpRequest.newBuilder(server.uri("/uuu/wwup.cgi"))
                  .header("Authorization", basic)
                  .header("Origin", "http://evil.example")
                  .header("Sec-Fetch-Mode", "navigate")
                  .header("Content-Type", form.contentType())
                  .POST(HttpRequest.BodyPublishers.ofByteArray(form.bytes()))
                  .build());

      assertThat(response.statusCode()).isEqualTo(403);
      assertThat(response.headers().firstValue("WWW-Authenticate")).isEmpty();
    }
  }

  /**
   * A wrong token is refused from the headers, before the body is read. The client is still
   * writing: a connection closed then with unread bytes is reset, and the reset drops the answer
   * the client had not read yet (HttpClient said "http1_0 content, bytes received: 28"). The body
   * is read and dropped, so the client reads its 401.
   */
  @Test
  void aClientStillSendingALargeBodyReadsTheRefusal() throws IOException {
    try (TestServer server = TestServer.withFixtures(dir)) {
      for (int i = 0; i < 3; i++) {
        HttpResponse<String> refused =
            server.send(
                HttpRequest.newBuilder(server.uri(DONE))
                    .header("Authorization", server.github + "x")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[6 << 20]))
                    .build());

        assertThat(refused.statusCode()).isEqualTo(401);
        assertThat(refused.headers().firstValue("Connection")).contains("close");
      }
    }
  }

  /** A refused client that stops sending its body holds its connection only for the linger. */
  @Test
  void aRefusedClientThatStallsIsClosedAfterTheLinger() throws IOException {
    try (TestServer server = TestServer.withFixtures(dir);
        Socket socket = new Socket("127.0.0.1", server.uri("/").getPort())) {
      socket.setSoTimeout((int) (Refusal.LINGER_SECONDS + 50) * 1000);
      String head =
          "POST "
              + DONE
              + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: "
              + server.github
              + "x\r\nContent-Length: 1000000\r\n\r\n";
      socket.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
      socket.getOutputStream().write(new byte[1000]);
      socket.getOutputStream().flush();
      long start = System.nanoTime();

      byte[] answer = socket.getInputStream().readAllBytes();

      assertThat(new String(answer, StandardCharsets.UTF_8)).startsWith("HTTP/1.1 401 ");
      assertThat(Duration.ofNanos(System.nanoTime() - start))
          .isGreaterThanOrEqualTo(Duration.ofSeconds(Refusal.LINGER_SECONDS - 1));
    }
  }

  @Test
  void answers429WithRetryAfterOnceAnAddressFailedTooOften() throws IOException {
    try (TestServer server =
        TestServer.withFixtures(dir, c -> c.withGuards(TestGuards.loginFailures(3, 1000)))) {
      HttpResponse<String> valid = server.send(post(server, DONE, server.github).build());
      for (int i = 0; i < 3; i++) {
        assertThat(server.send(post(server, DONE, server.github + "x").build()).statusCode())
            .isEqualTo(401);
      }

      HttpResponse<String> limited = server.send(post(server, DONE, server.github + "x").build());
      HttpResponse<String> cachedStillWorks =
          server.send(post(server, DONE, server.github).build());
      HttpResponse<String> uncachedIsLimited =
          server.send(post(server, DONE, server.sourcehut).build());

      assertThat(valid.statusCode()).isEqualTo(200);
      assertLimitedByAddress(limited, 3);
      assertThat(cachedStillWorks.statusCode()).isEqualTo(200);
      assertThat(uncachedIsLimited.statusCode()).isEqualTo(429);
    }
  }

  @Test
  void answers429OnceAWorkerNameFailedTooOftenFromAnyAddress() throws IOException {
    try (TestServer server =
        TestServer.withFixtures(dir, c -> c.withGuards(TestGuards.loginFailures(1000, 2)))) {
      for (int i = 0; i < 2; i++) {
        HttpResponse<String> wrong =
            server.send(
                post(server, DONE, server.github + "x")
                    .header("X-Forwarded-For", "192.0.2." + i)
                    .build());
        assertThat(wrong.statusCode()).isEqualTo(401);
      }

      HttpResponse<String> limited =
          server.send(
              post(server, DONE, server.github + "x")
                  .header("X-Forwarded-For", "192.0.2.9")
                  .build());

      assertThat(limited.statusCode()).isEqualTo(429);
      assertThat(limited.body())
          .startsWith("too many failed logins for worker name 'gh' (2 in 60 s); retry in ");
    }
  }

  /**
   * Asserts {@code limited} is the 429 of an address past its {@code failures} failed logins in 60
   * s, with the Retry-After it names.
   */
  static void assertLimitedByAddress(HttpResponse<String> limited, int failures) {
    assertThat(limited.statusCode()).isEqualTo(429);
    assertThat(limited.body())
        .matches(
            "too many failed logins from address '127\\.0\\.0\\.1' \\("
                + failures
                + " in 60 s\\); retry in ([1-9]|[1-5][0-9]|60) seconds with a valid token\n");
    assertThat(limited.headers().firstValue("Retry-After").orElseThrow())
        .matches("[1-9]|[1-5][0-9]|60");
  }
}
