package io.soilci.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** soil-worker publish against a real server: idempotent, and precise about a bad token. */
class PublishIT {
  @TempDir Path tmp;

  @Test
  void publishingTheSameJobTwiceLeavesTheSameSite() throws Exception {
    try (ServerProcess server = new ServerProcess(Files.createDirectories(tmp.resolve("s")))) {
      Path job = JobDir.write(tmp.resolve("out"), "twice", 5, 1, 0);
      Map<String, String> env = Map.of("SOIL_TOKEN", server.token);
      String url = server.uri().toString();

      Processes.Result first =
          Processes.java(
              tmp,
              env,
              Repo.WORKER_JAR,
              "publish",
              "--server",
              url,
              "--update-status-api",
              job.toString());
      String page = server.page("github-jobs/5/index.html");
      Processes.Result second =
          Processes.java(
              tmp,
              env,
              Repo.WORKER_JAR,
              "publish",
              "--server",
              url,
              "--update-status-api",
              job.toString());

      assertThat(first.exit()).as(first.output()).isEqualTo(0);
      assertThat(second.exit()).as(second.output()).isEqualTo(0);
      assertThat(server.page("github-jobs/5/index.html")).isEqualTo(page);
      assertThat(
              new Http()
                  .get(server.uri().resolve("status-api/github/1005/twice.status.txt"))
                  .body())
          .startsWith("1 ");
      try (var files = Files.list(server.site.resolve("github-jobs/5"))) {
        assertThat(files.map(p -> p.getFileName().toString()).sorted())
            .containsExactly(
                ".retention", "index.html", "json", "twice.json", "twice.tsv", "twice.wwz");
      }
    }
  }

  /**
   * The server refuses a wrong token before reading the body. With a large job (6 MB) the worker
   * was still writing: it met a connection closed with unread bytes (a reset, which also drops the
   * unread answer), and said "cannot reach" the server for two minutes of retries; the server now
   * reads and drops the rest of a refused body (up to drainBytes, 8 MiB by default), so the worker
   * reads the 401 whatever the job's size.
   */
  @ParameterizedTest
  @ValueSource(ints = {0, 6 << 20})
  void aWrongTokenFailsAtOnceSayingWhatToCheck(int padding) throws Exception {
    try (ServerProcess server = new ServerProcess(Files.createDirectories(tmp.resolve("s")))) {
      Path job = JobDir.write(tmp.resolve("out"), "j", 6, 0, padding);
      String wrong = server.token.substring(0, server.token.indexOf(':')) + ":not-the-secret";

      Processes.Result result =
          Processes.java(
              tmp,
              Map.of("SOIL_TOKEN", wrong),
              Repo.WORKER_JAR,
              "publish",
              "--server",
              server.uri().toString(),
              job.toString());

      assertThat(result.exit()).as(result.output()).isEqualTo(1);
      assertThat(result.output().strip())
          .startsWith(
              "soil-worker: server " + server.uri() + " refused the worker token (HTTP 401: ")
          .endsWith("); check SOIL_TOKEN or --token-file and the token's scopes");
      assertThat(server.site.resolve("github-jobs/6")).doesNotExist();
    }
  }

  @Test
  void httpsToThisPlainHttpServerFailsAtOnceSayingSo() throws Exception {
    try (ServerProcess server = new ServerProcess(Files.createDirectories(tmp.resolve("s")))) {
      Path job = JobDir.write(tmp.resolve("out"), "j", 7, 0, 0);
      String https = "https://127.0.0.1:" + server.uri().getPort() + "/";
      long start = System.nanoTime();

      Processes.Result result =
          Processes.java(
              tmp,
              Map.of("SOIL_TOKEN", server.token),
              Repo.WORKER_JAR,
              "publish",
              "--server",
              https,
              job.toString());

      assertThat(result.exit()).isEqualTo(1);
      assertThat(result.output().strip())
          .startsWith(
              "soil-worker: publish github-jobs/7/j failed: cannot reach "
                  + https
                  + ": the TLS handshake failed (")
          .endsWith("); if the server speaks plain HTTP there, use http:// in --server")
          .doesNotContain("trying again");
      assertThat(java.time.Duration.ofNanos(System.nanoTime() - start))
          .isLessThan(java.time.Duration.ofSeconds(30));
    }
  }

  @Test
  void anUnknownHostIsOneLineNamingItWithoutRetries() throws Exception {
    Path job = JobDir.write(tmp.resolve("out"), "j", 8, 0, 0);
    String unknown = "https://no-such-host.invalid/";

    Processes.Result result =
        Processes.java(
            tmp,
            Map.of("SOIL_TOKEN", "w:secret"),
            Repo.WORKER_JAR,
            "publish",
            "--server",
            unknown,
            job.toString());

    assertThat(result.exit()).isEqualTo(1);
    assertThat(result.output().strip())
        .isEqualTo(
            "soil-worker: publish github-jobs/8/j failed: cannot reach "
                + unknown
                + ": unknown host no-such-host.invalid (no address found for it); check the host"
                + " name in --server");
  }

  @Test
  void httpsToAPortThatNeverAnswersIsOneLineAfterTheConnectTimeout() throws Exception {
    try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      Path job = JobDir.write(tmp.resolve("out"), "j", 9, 0, 0);
      String https = "https://127.0.0.1:" + silent.getLocalPort() + "/";
      long start = System.nanoTime();

      Processes.Result result =
          Processes.java(
              tmp,
              Map.of("SOIL_TOKEN", "w:secret"),
              Repo.WORKER_JAR,
              "publish",
              "--server",
              https,
              job.toString());

      assertThat(result.exit()).isEqualTo(1);
      assertThat(result.output().strip())
          .isEqualTo(
              "soil-worker: publish github-jobs/9/j failed: cannot reach "
                  + https
                  + ": the port takes connections but no TLS handshake came back within 10 s;"
                  + " check the port in --server (a server speaking plain HTTP there needs"
                  + " http://)");
      assertThat(java.time.Duration.ofNanos(System.nanoTime() - start))
          .isLessThan(java.time.Duration.ofSeconds(60));
    }
  }
}
