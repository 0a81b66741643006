package io.soilci.worker.publish;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.soilci.result.JobName;
import io.soilci.result.JobRef;
import io.soilci.result.RunId;
import io.soilci.result.WorkerHost;
import io.soilci.worker.JobFixture;
import io.soilci.worker.LoopbackHttp;
import io.soilci.worker.LoopbackHttp.Reply;
import io.soilci.worker.WorkerFailure;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SoilServerTest {
  private static final Token TOKEN = new Token("ci-1", "s3cret");
  private static final JobRef JOB =
      new JobRef(WorkerHost.GITHUB, new RunId("4101"), new JobName("dev-minimal"));
  private static final RetryPolicy QUICK =
      new RetryPolicy(Duration.ofMillis(20), Duration.ofMillis(100), Duration.ofSeconds(2));

  @TempDir Path dir;
  private final StringWriter printed = new StringWriter();
  private final PrintWriter warnings = new PrintWriter(printed, true);

  private JobFiles files() throws Exception {
    return JobFiles.parse(JobFixture.write(dir, "dev-minimal", "4101", 0, 1).toString());
  }

  @Test
  void uploadsTheThreeFilesAsMultipartWithTheJsonLastAndTheTokenAsBasicAuth() throws Exception {
    try (LoopbackHttp http = new LoopbackHttp(r -> Reply.of(200, "stored\n"))) {
      new SoilServer(http.uri(), TOKEN, Duration.ofSeconds(2), warnings)
          .publish(JOB, files(), QUICK);

      LoopbackHttp.Request request = http.requests().get(0);
      assertThat(request.method()).isEqualTo("POST");
      assertThat(request.pathAndQuery())
          .isEqualTo("/results?jobName=dev-minimal&workerHost=github&runId=4101");
      assertThat(request.header("Authorization")).isEqualTo("Basic Y2ktMTpzM2NyZXQ=");
      assertThat(request.header("Content-Type")).startsWith("multipart/form-data; boundary=");
      String body = request.bodyText();
      assertThat(body.indexOf("filename=\"dev-minimal.wwz\""))
          .isPositive()
          .isLessThan(body.indexOf("filename=\"dev-minimal.tsv\""));
      assertThat(body.indexOf("filename=\"dev-minimal.tsv\""))
          .isLessThan(body.indexOf("filename=\"dev-minimal.json\""));
      assertThat(body).contains("\"job-name\": \"dev-minimal\"").endsWith("--\r\n");
    }
  }

  @Test
  void retriesA503AfterItsRetryAfterAndThenSucceeds() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    try (LoopbackHttp http =
        new LoopbackHttp(
            r ->
                calls.incrementAndGet() == 1
                    ? new Reply(503, "busy\n", Map.of("Retry-After", "1"))
                    : Reply.of(200, "ok"))) {
      long start = System.nanoTime();

      new SoilServer(http.uri(), TOKEN, Duration.ofSeconds(2), warnings)
          .publish(JOB, files(), QUICK);

      assertThat(http.requests()).hasSize(2);
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThan(Duration.ofMillis(950));
      assertThat(printed.toString())
          .isEqualTo(
              "soil-worker: publish github-jobs/4101/dev-minimal: HTTP 503: busy; attempt 1"
                  + " failed, trying again in 1.0 s\n");
    }
  }

  @Test
  void givesUpOnRepeated5xxWithinTheTotalTimeNamingTheLastAnswer() throws Exception {
    try (LoopbackHttp http = new LoopbackHttp(r -> Reply.of(500, "disk full\n"))) {
      SoilServer server = new SoilServer(http.uri(), TOKEN, Duration.ofSeconds(2), warnings);
      RetryPolicy briefly =
          new RetryPolicy(Duration.ofMillis(20), Duration.ofMillis(50), Duration.ofMillis(1000));

      assertThatThrownBy(() -> server.publish(JOB, files(), briefly))
          .isInstanceOf(WorkerFailure.class)
          .hasMessageStartingWith("publish github-jobs/4101/dev-minimal failed after ")
          .hasMessageEndingWith(
              " attempts: HTTP 500: disk full; check that the server is up and --server is right");
      assertThat(http.requests().size()).isBetween(2, 60);
    }
  }

  @Test
  void stopsAtOnceOnA4xxWithTheServersMessage() throws Exception {
    try (LoopbackHttp http =
        new LoopbackHttp(r -> Reply.of(400, "jobName 'x' does not match the JSON's job-name\n"))) {
      SoilServer server = new SoilServer(http.uri(), TOKEN, Duration.ofSeconds(2), warnings);

      assertThatThrownBy(() -> server.publish(JOB, files(), QUICK))
          .hasMessage(
              "publish github-jobs/4101/dev-minimal failed: HTTP 400: jobName 'x' does not match"
                  + " the JSON's job-name");
      assertThat(http.requests()).hasSize(1);
    }
  }

  @Test
  void saysTheTokenWasRefusedOn401() throws Exception {
    try (LoopbackHttp http = new LoopbackHttp(r -> Reply.of(401, "unknown worker 'ci-1'"))) {
      SoilServer server = new SoilServer(http.uri(), TOKEN, Duration.ofSeconds(2), warnings);

      assertThatThrownBy(() -> server.publish(JOB, files(), QUICK))
          .hasMessage(
              "server "
                  + http.uri()
                  + " refused the worker token (HTTP 401: unknown worker 'ci-1'); check SOIL_TOKEN"
                  + " or --token-file and the token's scopes");
    }
  }

  @Test
  void saysTheServerIsUnreachableWhenNothingListens() throws Exception {
    URI closed;
    try (ServerSocket socket = new ServerSocket(0)) {
      closed = URI.create("http://127.0.0.1:" + socket.getLocalPort() + "/");
    }
    SoilServer server = new SoilServer(closed, TOKEN, Duration.ofSeconds(1), warnings);
    RetryPolicy briefly =
        new RetryPolicy(Duration.ofMillis(20), Duration.ofMillis(50), Duration.ofMillis(200));

    assertThatThrownBy(() -> server.publish(JOB, files(), briefly))
        .hasMessageContaining(
            ": cannot reach "
                + closed
                + ": connection refused; check that the server"
                + " is up and --server is right");
  }

  @Test
  void namesAnUnknownHost() throws Exception {
    URI unknown = URI.create("http://no-such-host.invalid:8080/");
    SoilServer server = new SoilServer(unknown, TOKEN, Duration.ofSeconds(1), warnings);

    assertThatThrownBy(() -> server.publish(JOB, files(), RetryPolicy.upTo(Duration.ofMinutes(2))))
        .hasMessage(
            "publish github-jobs/4101/dev-minimal failed: cannot reach "
                + unknown
                + ": unknown host no-such-host.invalid (no address found for it); check the host"
                + " name in --server");
    assertThat(printed.toString()).as("no attempt was retried").isEmpty();
  }

  @Test
  void saysAtOnceThatHttpWasAskedOfATlsServer() throws Exception {
    try (TlsServer tls = new TlsServer(dir)) {
      URI http = URI.create("http://127.0.0.1:" + tls.port() + "/");
      SoilServer server = new SoilServer(http, TOKEN, Duration.ofSeconds(2), warnings);
      long start = System.nanoTime();

      assertThatThrownBy(
              () -> server.publish(JOB, files(), RetryPolicy.upTo(Duration.ofMinutes(2))))
          .hasMessage(
              "publish github-jobs/4101/dev-minimal failed: cannot reach "
                  + http
                  + ": the server speaks TLS (HTTPS) there; use https:// in --server");

      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
      assertThat(printed.toString()).as("no attempt was retried").isEmpty();
    }
  }

  @Test
  void givesUpAtOnceOnAnHttpsPortThatNeverShakesHands() throws Exception {
    try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      URI https = URI.create("https://127.0.0.1:" + silent.getLocalPort() + "/");
      SoilServer server = new SoilServer(https, TOKEN, Duration.ofSeconds(1), warnings);
      long start = System.nanoTime();

      assertThatThrownBy(
              () -> server.publish(JOB, files(), RetryPolicy.upTo(Duration.ofMinutes(2))))
          .hasMessage(
              "publish github-jobs/4101/dev-minimal failed: cannot reach "
                  + https
                  + ": the port takes connections but no TLS handshake came back within 1 s;"
                  + " check the port in --server (a server speaking plain HTTP there needs"
                  + " http://)");

      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
      assertThat(printed.toString()).as("no attempt was retried").isEmpty();
    }
  }

  @Test
  void sendsEventsAsQueryParameters() throws Exception {
    try (LoopbackHttp http = new LoopbackHttp(r -> Reply.of(200, ""))) {
      SoilServer server = new SoilServer(http.uri(), TOKEN, Duration.ofSeconds(2), warnings);

      Answer answer = server.sendOnce(Event.done(JOB, 1, true), Duration.ofSeconds(2));

      assertThat(answer.succeeded()).isTrue();
      assertThat(http.requests().get(0).pathAndQuery())
          .isEqualTo(
              "/event?eventName=done&workerHost=github&runId=4101&jobName=dev-minimal&status=1"
                  + "&updateStatusApi=1");
    }
  }
}
