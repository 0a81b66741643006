package io.soilci.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.soilci.server.config.Guards;
import io.soilci.server.testing.SiteTrees;
import io.soilci.server.testing.TestGuards;
import io.soilci.server.testing.TestServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code POST /credentials}: what a token may publish, asked before a job runs; nothing changes.
 */
class CredentialsHandlerTest {
  @TempDir Path dir;

  @Test
  void namesTheWorkerWhoseTokenMayPublishTheHostsJobsAndStatusFiles() throws IOException {
    try (TestServer server = TestServer.withFixtures(dir)) {
      String before = SiteTrees.checksum(server.site);

      HttpResponse<String> response =
          server.post("/credentials?workerHost=github&updateStatusApi=1", server.github);

      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.body()).isEqualTo("worker 'gh' may write github-jobs and status-api\n");
      assertThat(SiteTrees.checksum(server.site)).isEqualTo(before);
    }
  }

  @Test
  void refusesATokenItDoesNotKnow() throws IOException {
    try (TestServer server = TestServer.withFixtures(dir)) {
      String before = SiteTrees.checksum(server.site);

      HttpResponse<String> response =
          server.post("/credentials?workerHost=github", "Bearer gh:not-the-secret");

      assertThat(response.statusCode()).isEqualTo(401);
      assertThat(response.body()).isEqualTo("worker token not recognized\n");
      assertThat(SiteTrees.checksum(server.site)).isEqualTo(before);
    }
  }

  @Test
  void refusesATokenWithoutTheHostsScopeOrTheStatusScope() throws IOException {
    try (TestServer server = TestServer.withFixtures(dir)) {
      HttpResponse<String> otherHost =
          server.post("/credentials?workerHost=github", server.sourcehut);
      HttpResponse<String> noStatus =
          server.post("/credentials?workerHost=sourcehut&updateStatusApi=1", server.sourcehut);

      assertThat(otherHost.statusCode()).isEqualTo(403);
      assertThat(otherHost.body()).isEqualTo("worker 'srht' may not write 'github-jobs'\n");
      assertThat(noStatus.statusCode()).isEqualTo(403);
      assertThat(noStatus.body()).isEqualTo("worker 'srht' may not write 'status-api'\n");
    }
  }

  /**
   * A flood of wrong tokens on /credentials counts against the same failed-login limits as every
   * write (CredentialGate): past them, 429 with Retry-After, on /credentials and on the others.
   */
  @Test
  void aFloodOfWrongTokensIsLimitedLikeEveryOtherWrite() throws IOException {
    try (TestServer server =
        TestServer.withFixtures(dir, c -> c.withGuards(guards(30, 60, 30, 3)))) {
      for (int i = 0; i < 3; i++) {
        assertThat(
                server.post("/credentials?workerHost=github", "Bearer gh:wrong" + i).statusCode())
            .isEqualTo(401);
      }

      HttpResponse<String> limited =
          server.post("/credentials?workerHost=github", "Bearer gh:wrong-again");
      HttpResponse<String> eventLimitedToo =
          server.post(
              "/event?eventName=start&workerHost=github&runId=5&jobName=j", "Bearer gh:wrong-4");

      CredentialGateTest.assertLimitedByAddress(limited, 3);
      assertThat(eventLimitedToo.statusCode()).isEqualTo(429);
    }
  }

  /** A request whose head comes a byte at a time is closed at the parse timeout (2 s here). */
  @Test
  void aCheckWhoseHeadComesByteByByteIsCutAtTheParseTimeout() throws Exception {
    try (TestServer server =
            TestServer.withFixtures(dir, c -> c.withGuards(guards(2, 60, 30, 1000)));
        Socket socket = new Socket("127.0.0.1", server.port())) {
      byte[] head =
          ("POST /credentials?workerHost=github HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: "
                  + server.github
                  + "\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII);
      AtomicBoolean sending = new AtomicBoolean(true);
      Thread slowloris = trickle(socket, head, 0, sending);
      long start = System.nanoTime();

      String answer = readUntilClosed(socket, Duration.ofSeconds(20));
      Duration held = Duration.ofNanos(System.nanoTime() - start);
      HttpResponse<String> meanwhile = server.post("/credentials?workerHost=github", server.github);
      sending.set(false);
      slowloris.join(5000);

      assertThat(answer).doesNotContain("200 OK");
      assertThat(held).isBetween(Duration.ofMillis(1500), Duration.ofSeconds(8));
      assertThat(meanwhile.statusCode()).isEqualTo(200);
    }
  }

  /** A body that stops coming is closed at the read timeout (2 s here), answer or not. */
  @Test
  void aCheckWhoseBodyNeverEndsIsCutAtTheReadTimeout() throws Exception {
    try (TestServer server =
            TestServer.withFixtures(dir, c -> c.withGuards(guards(30, 2, 30, 1000)));
        Socket socket = new Socket("127.0.0.1", server.port())) {
      OutputStream out = socket.getOutputStream();
      out.write(
          ("POST /credentials?workerHost=github HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: "
                  + server.github
                  + "\r\nContent-Length: 100\r\n\r\n0123456789")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      long start = System.nanoTime();

      String answer = readUntilClosed(socket, Duration.ofSeconds(20));
      Duration held = Duration.ofNanos(System.nanoTime() - start);

      assertThat(answer).doesNotContain("200 OK");
      assertThat(held).isBetween(Duration.ofMillis(1500), Duration.ofSeconds(8));
      assertThat(server.post("/credentials?workerHost=github", server.github).statusCode())
          .isEqualTo(200);
    }
  }

  /** A body trickled slower than the minimum rate is cut with 408 at the end of its window. */
  @Test
  void aCheckWhoseBodyIsTrickledIsCutWith408() throws Exception {
    try (TestServer server =
            TestServer.withFixtures(dir, c -> c.withGuards(guards(30, 60, 2, 1000)));
        Socket socket = new Socket("127.0.0.1", server.port())) {
      socket
          .getOutputStream()
          .write(
              ("POST /credentials?workerHost=github HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                      + "Authorization: "
                      + server.github
                      + "\r\nContent-Length: 1000\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
      AtomicBoolean sending = new AtomicBoolean(true);
      Thread slowloris = trickle(socket, new byte[1000], 200, sending);
      long start = System.nanoTime();

      String answer = readUntilClosed(socket, Duration.ofSeconds(20));
      Duration held = Duration.ofNanos(System.nanoTime() - start);
      sending.set(false);
      slowloris.join(5000);

      assertThat(answer).startsWith("HTTP/1.1 408 ").contains("request body arrived at ");
      assertThat(held).isBetween(Duration.ofMillis(1500), Duration.ofSeconds(8));
    }
  }

  /** Writes {@code bytes} one at a time, {@code pauseMillis} apart (100 ms when 0), while on. */
  private static Thread trickle(Socket socket, byte[] bytes, int pauseMillis, AtomicBoolean on) {
    Thread thread =
        new Thread(
            () -> {
              try {
                OutputStream out = socket.getOutputStream();
                for (int i = 0; i < bytes.length && on.get(); i++) {
                  out.write(bytes[i]);
                  out.flush();
                  Thread.sleep(pauseMillis == 0 ? 100 : pauseMillis);
                }
              } catch (IOException e) {
                // Closed by the server: what the test waits for.
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "slowloris");
    thread.setDaemon(true);
    thread.start();
    return thread;
  }

  /**
   * What the server sent until it closed the connection; fails if it is still open at {@code max}.
   */
  private static String readUntilClosed(Socket socket, Duration max) throws IOException {
    socket.setSoTimeout((int) max.toMillis());
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    InputStream in = socket.getInputStream();
    byte[] buffer = new byte[1024];
    try {
      for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
        got.write(buffer, 0, n);
      }
    } catch (SocketException e) {
      // A reset: closed too.
    }
    return got.toString(StandardCharsets.ISO_8859_1);
  }

  private static Guards guards(
      int parseTimeoutSeconds, int readTimeoutSeconds, int rateWindowSeconds, int perAddress) {
    return TestGuards.of(
        parseTimeoutSeconds, readTimeoutSeconds, rateWindowSeconds, perAddress, 1000);
  }
}
