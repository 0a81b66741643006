package io.soilci.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.soilci.server.testing.TestProcesses;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** deploy/nginx/soil.conf for real: nginx -t, then TLS on loopback in front of a real server. */
class NginxIT {
  @TempDir static Path tmp;
  static ServerProcess server;
  static @Nullable Process nginx;
  static int httpsPort;
  static Path conf;

  @BeforeAll
  static void start() throws Exception {
    server = new ServerProcess(Files.createDirectories(tmp.resolve("server")));
    Path cert = tmp.resolve("cert.pem");
    Path key = tmp.resolve("key.pem");
    Processes.Result made =
        Processes.run(
            tmp,
            Map.of(),
            60,
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            key.toString(),
            "-out",
            cert.toString(),
            "-days",
            "1",
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=IP:127.0.0.1,DNS:localhost");
    assertThat(made.exit()).as(made.output()).isEqualTo(0);
    httpsPort = ServerProcess.freePort();
    conf = NginxConf.write(tmp, cert, key, httpsPort, ServerProcess.freePort(), server.port);
  }

  @AfterAll
  static void stop() throws Exception {
    if (nginx != null) {
      nginx.destroy();
      nginx.waitFor(10, TimeUnit.SECONDS);
    }
    server.close();
  }

  @Test
  void theShippedConfigPassesNginxTest() throws Exception {
    Processes.Result test =
        Processes.run(
            tmp, Map.of(), 30, "nginx", "-t", "-p", tmp.toString(), "-c", conf.toString());

    assertThat(test.output()).contains("syntax is ok").contains("test is successful");
    assertThat(test.exit()).isEqualTo(0);
  }

  @Test
  void proxiesALargeUploadOverTlsAndServesTheResultingPages() throws Exception {
    startNginx();
    Path job = JobDir.write(tmp.resolve("out"), "big-job", 3, 0, 3 * 1024 * 1024);
    URI base = URI.create("https://127.0.0.1:" + httpsPort + "/");
    Path trust = trustStore(tmp.resolve("cert.pem"));

    Processes.Result published =
        Processes.run(
            tmp,
            Map.of("SOIL_TOKEN", server.token),
            120,
            "java",
            "-Djavax.net.ssl.trustStore=" + trust,
            "-Djavax.net.ssl.trustStorePassword=changeit",
            "-jar",
            Repo.WORKER_JAR.toString(),
            "publish",
            "--server",
            base.toString(),
            "--update-status-api",
            job.toString());

    assertThat(published.exit())
        .as(
            published.output()
                + "\nnginx error.log:\n"
                + Files.readString(tmp.resolve("logs/error.log")))
        .isEqualTo(0);
    Http https = new Http(tls(trust));
    var run = https.get(base.resolve("github-jobs/3/"));
    assertThat(run.statusCode()).isEqualTo(200);
    assertThat(run.body()).contains("big-job");
    assertThat(run.headers().firstValue("Strict-Transport-Security")).hasValue("max-age=31536000");
    var log = https.get(base.resolve("github-jobs/3/big-job.wwz/_tmp/soil/logs/check.txt"));
    assertThat(log.body()).isEqualTo("check said 0\n");
    assertThat(https.get(base.resolve("status-api/github/1003/big-job.status.txt")).body())
        .startsWith("0 ");
  }

  private static void startNginx() throws Exception {
    if (nginx != null) {
      return;
    }
    nginx =
        TestProcesses.track(
            new ProcessBuilder(
                    "nginx", "-p", tmp.toString(), "-c", conf.toString(), "-g", "daemon off;")
                .redirectErrorStream(true)
                .redirectOutput(tmp.resolve("nginx.out").toFile())
                .start());
    ServerProcess.awaitPort(httpsPort, nginx, tmp.resolve("nginx.out"));
  }

  private static Path trustStore(Path cert) throws Exception {
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, null);
    try (InputStream in = Files.newInputStream(cert)) {
      store.setCertificateEntry(
          "soil", CertificateFactory.getInstance("X.509").generateCertificate(in));
    }
    Path file = tmp.resolve("trust.p12");
    try (var out = Files.newOutputStream(file)) {
      store.store(out, "changeit".toCharArray());
    }
    return file;
  }

  private static SSLContext tls(Path trust) throws Exception {
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(trust)) {
      store.load(in, "changeit".toCharArray());
    }
    TrustManagerFactory factory =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    factory.init(store);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, factory.getTrustManagers(), null);
    return context;
  }
}
