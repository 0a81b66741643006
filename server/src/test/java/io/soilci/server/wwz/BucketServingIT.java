package io.soilci.server.wwz;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.soilci.server.http.ErrorMapper;
import io.soilci.server.logview.ErrorPatterns;
import io.soilci.server.logview.LogIndexStore;
import io.soilci.server.storage.S3ObjectStore;
import io.soilci.server.testing.S3ProxyProcess;
import io.undertow.Undertow;
import io.undertow.server.handlers.BlockingHandler;
import java.io.ByteArrayInputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A replica's wwz route while its folder lacks a job's zip and the bucket has it: entries come from
 * s3proxy (a process) by ranged GETs, through a real Undertow on 127.0.0.1.
 */
class BucketServingIT {
  private static final String KEY = BucketWwzTest.KEY;

  @TempDir Path dir;
  private S3ProxyProcess proxy;
  private CountingStore store;
  private WwzHandler handler;
  private Undertow server;
  private String log;
  private byte[] zip;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeEach
  void start() throws Exception {
    proxy = S3ProxyProcess.start(Files.createDirectories(dir.resolve("s3")));
    proxy.createBucket("soil");
    store = new CountingStore(S3ObjectStore.open(proxy.settings("soil", "site/")));
    log = BucketWwzTest.random(1, 20_000);
    zip = BucketWwzTest.zip(log, "<h1>tasks</h1>");
    store.put(KEY, zip, "application/zip");
    handler =
        new WwzHandler(
            Files.createDirectories(dir.resolve("site")),
            new LogIndexStore(
                dir.resolve("log-index"), LogIndexStore.DEFAULT_BUDGET, ErrorPatterns.DEFAULTS),
            Files.createDirectories(dir.resolve("inflated")),
            new BucketWwz(store, 16));
    server =
        Undertow.builder()
            .addHttpListener(0, "127.0.0.1")
            .setHandler(new BlockingHandler(new ErrorMapper(handler, 1 << 20)))
            .build();
    server.start();
  }

  @AfterEach
  void stop() throws Exception {
    server.stop();
    handler.close();
    store.close();
    proxy.close();
  }

  private HttpResponse<byte[]> get(String path, boolean gzip) throws Exception {
    int port = ((InetSocketAddress) server.getListenerInfo().get(0).getAddress()).getPort();
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
    if (gzip) {
      request.header("Accept-Encoding", "gzip");
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  @Test
  void servesEntriesFromTheBucketWhileTheFolderLacksTheZip() throws Exception {
    HttpResponse<byte[]> page = get("/" + KEY + "/index.html", false);
    HttpResponse<byte[]> plain = get("/" + KEY + "/_tmp/soil/logs/cpp.txt", false);
    HttpResponse<byte[]> gzipped = get("/" + KEY + "/_tmp/soil/logs/cpp.txt", true);

    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(new String(page.body(), UTF_8)).isEqualTo("<h1>tasks</h1>");
    assertThat(page.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
    assertThat(page.headers().firstValue("Content-Security-Policy")).hasValue("sandbox");
    assertThat(page.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
    assertThat(new String(plain.body(), UTF_8)).isEqualTo(log);
    assertThat(gzipped.headers().firstValue("Content-Encoding")).hasValue("gzip");
    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gzipped.body()))) {
      assertThat(new String(in.readAllBytes(), UTF_8)).isEqualTo(log);
    }
    assertThat(store.heads.get()).isEqualTo(1);
    assertThat(store.rangedGets.get()).isEqualTo(1 + 3);
  }

  @Test
  void aMissingEntryIsNotFound() throws Exception {
    assertThat(get("/" + KEY + "/no/such.txt", false).statusCode()).isEqualTo(404);
    assertThat(get("/github-jobs/4101/none.wwz/index.html", false).statusCode()).isEqualTo(404);
  }

  @Test
  void theFolderServesOnceTheZipArrives() throws Exception {
    assertThat(get("/" + KEY + "/index.html", false).statusCode()).isEqualTo(200);
    int before = store.rangedGets.get();
    Path local = dir.resolve("site").resolve(KEY);
    Files.createDirectories(local.getParent());
    Files.write(local, BucketWwzTest.zip("local\n", "<h1>local</h1>"));

    HttpResponse<byte[]> page = get("/" + KEY + "/index.html", false);

    assertThat(new String(page.body(), UTF_8)).isEqualTo("<h1>local</h1>");
    assertThat(store.rangedGets.get()).isEqualTo(before);
  }
}
