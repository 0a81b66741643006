package io.soilci.server.wwz;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.soilci.server.testing.TestServer;
import io.soilci.server.testing.Zips;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A deflated entry goes to a gzip client as the zip's own DEFLATE bytes in a gzip member; real gzip
 * clients (the JDK's, {@code gzip -d}, {@code curl --compressed}) must get the entry back byte for
 * byte. Everything else keeps the plain path.
 */
class GzipServingTest {
  private static final String ZIP = "/github-jobs/9/logs.wwz/";
  private static final String BIG = ZIP + "_tmp/soil/logs/big.txt";
  private static final String SMALL = ZIP + "_tmp/soil/logs/small.txt";
  private static final String STORED = ZIP + "stored.txt";

  /** Over the socket buffers even compressed, so the copy waits for the client many times. */
  private static final byte[] BIG_LOG = log(12_000_000);

  private static final byte[] SMALL_LOG = log(200_000);

  private static final byte[] ZIP_BYTES = zip();

  @TempDir Path dir;
  private TestServer server;
  private Path zip;

  @BeforeEach
  void start() throws IOException {
    server = TestServer.start(dir);
    zip = Files.createDirectories(server.site.resolve("github-jobs/9")).resolve("logs.wwz");
    Files.write(zip, ZIP_BYTES);
  }

  /** The job's zip: both logs deflated, the small one once more stored. */
  private static byte[] zip() {
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    try (ZipOutputStream out = new ZipOutputStream(bytes)) {
      out.putNextEntry(new ZipEntry("_tmp/soil/logs/big.txt"));
      out.write(BIG_LOG);
      out.putNextEntry(new ZipEntry("_tmp/soil/logs/small.txt"));
      out.write(SMALL_LOG);
      ZipEntry stored = new ZipEntry("stored.txt");
      stored.setMethod(ZipEntry.STORED);
      stored.setSize(SMALL_LOG.length);
      CRC32 crc = new CRC32();
      crc.update(SMALL_LOG);
      stored.setCrc(crc.getValue());
      out.putNextEntry(stored);
      out.write(SMALL_LOG);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  /** A CI log of about {@code size} bytes: varied lines, as compressible as real ones. */
  private static byte[] log(int size) {
    Random random = new Random(size);
    StringBuilder out = new StringBuilder(size + 100);
    for (int i = 1; out.length() < size; i++) {
      out.append("\u001b[32m[ OK ]\u001b[0m test_")
          .append(Long.toString(random.nextLong(), 36))
          .append(" line ")
          .append(i)
          .append(" took ")
          .append(random.nextInt(5000))
          .append(" ms\n");
    }
    return out.toString().getBytes(UTF_8);
  }

  private HttpResponse<byte[]> get(String path, String... headers) {
    HttpRequest.Builder request = HttpRequest.newBuilder(server.uri(path));
    if (headers.length > 0) {
      request.headers(headers);
    }
    try {
      return server.client().send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static byte[] gunzip(byte[] gzip) throws IOException {
    try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(gzip))) {
      return in.readAllBytes();
    }
  }

  private byte[] rawDeflate(String name) throws IOException {
    try (ZipFile file = new ZipFile(zip.toFile())) {
      long compressed = file.getEntry(name).getCompressedSize();
      byte[] all = Files.readAllBytes(zip);
      // The entry's data ends where its data descriptor (the JDK writes one) begins.
      int end = indexOf(all, new byte[] {'P', 'K', 7, 8}, 0);
      while (end >= 0 && !endsDeflate(all, end, compressed)) {
        end = indexOf(all, new byte[] {'P', 'K', 7, 8}, end + 1);
      }
      return java.util.Arrays.copyOfRange(all, end - (int) compressed, end);
    }
  }

  private static boolean endsDeflate(byte[] all, int end, long compressed) {
    long sizeField =
        (all[end + 8] & 0xffL)
            | (all[end + 9] & 0xffL) << 8
            | (all[end + 10] & 0xffL) << 16
            | (all[end + 11] & 0xffL) << 24;
    return sizeField == compressed;
  }

  private static int indexOf(byte[] all, byte[] what, int from) {
    outer:
    for (int i = from; i + what.length <= all.length; i++) {
      for (int j = 0; j < what.length; j++) {
        if (all[i + j] != what[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  @Test
  void aGzipClientGetsTheZipsOwnDeflateBytesAndInflatesThemToTheEntryByteForByte()
      throws IOException {
    HttpResponse<byte[]> response = get(BIG, "Accept-Encoding", "gzip, deflate, br");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Encoding")).contains("gzip");
    assertThat(response.headers().firstValue("Vary")).contains("Accept-Encoding");
    assertThat(response.headers().firstValue("Content-Type")).contains("text/plain; charset=utf-8");
    assertThat(response.headers().firstValue("Content-Security-Policy")).contains("sandbox");
    assertThat(response.headers().firstValue("X-Content-Type-Options")).contains("nosniff");
    byte[] body = response.body();
    byte[] deflate = rawDeflate("_tmp/soil/logs/big.txt");
    assertThat(body).hasSize(10 + deflate.length + 8);
    assertThat(response.headers().firstValue("Content-Length"))
        .contains(Integer.toString(body.length));
    assertThat(java.util.Arrays.copyOfRange(body, 10, 10 + deflate.length)).isEqualTo(deflate);
    assertThat(body.length).isLessThan(BIG_LOG.length / 3);
    assertThat(gunzip(body)).isEqualTo(BIG_LOG);
  }

  @Test
  void theGzipToolInflatesItAndChecksItsCrcAndSize() throws Exception {
    Path gz = dir.resolve("small.gz");
    Files.write(gz, get(SMALL, "Accept-Encoding", "gzip").body());

    Process gzip = new ProcessBuilder("gzip", "-dc", gz.toString()).start();
    byte[] out = gzip.getInputStream().readAllBytes();

    assertThat(gzip.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(new String(gzip.getErrorStream().readAllBytes(), UTF_8)).isEmpty();
    assertThat(gzip.exitValue()).isZero();
    assertThat(out).isEqualTo(SMALL_LOG);
  }

  @Test
  void curlCompressedGetsTheEntryByteForByteInAFractionOfTheBytes() throws Exception {
    Path out = dir.resolve("curl.out");
    Process curl =
        new ProcessBuilder(
                "curl",
                "-sS",
                "--fail",
                "--compressed",
                "-o",
                out.toString(),
                "-w",
                "%{size_download} %{content_type}",
                server.uri(BIG).toString())
            .start();
    String written = new String(curl.getInputStream().readAllBytes(), UTF_8);

    assertThat(curl.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(new String(curl.getErrorStream().readAllBytes(), UTF_8)).isEmpty();
    assertThat(curl.exitValue()).isZero();
    assertThat(Files.readAllBytes(out)).isEqualTo(BIG_LOG);
    long downloaded = Long.parseLong(written.split(" ")[0]);
    assertThat(downloaded).isLessThan(BIG_LOG.length / 3);
    assertThat(written).endsWith("text/plain; charset=utf-8");
  }

  @Test
  void aClientWithoutGzipGetsThePlainBytesAsBefore() {
    HttpResponse<byte[]> response = get(BIG);

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Encoding")).isEmpty();
    assertThat(response.headers().firstValue("Vary")).contains("Accept-Encoding");
    assertThat(response.headers().firstValue("Content-Security-Policy")).contains("sandbox");
    assertThat(response.body()).isEqualTo(BIG_LOG);
  }

  @ParameterizedTest
  @ValueSource(strings = {"gzip;q=0", "identity", "br", "gzip;q=0, *", "deflate, gzip; q=0.000"})
  void aClientThatRefusesGzipGetsThePlainBytes(String acceptEncoding) {
    HttpResponse<byte[]> response = get(SMALL, "Accept-Encoding", acceptEncoding);

    assertThat(response.headers().firstValue("Content-Encoding")).isEmpty();
    assertThat(response.body()).isEqualTo(SMALL_LOG);
  }

  @ParameterizedTest
  @ValueSource(strings = {"*", "x-gzip", "GZIP;q=0.5, identity;q=1", "br;q=1, gzip;q=0.1"})
  void aClientThatTakesGzipInAnyAllowedSpellingGetsIt(String acceptEncoding) throws IOException {
    HttpResponse<byte[]> response = get(SMALL, "Accept-Encoding", acceptEncoding);

    assertThat(response.headers().firstValue("Content-Encoding")).contains("gzip");
    assertThat(gunzip(response.body())).isEqualTo(SMALL_LOG);
  }

  @Test
  void aRangeRequestKeepsTodaysPathTheWholeEntryPlain() {
    HttpResponse<byte[]> response = get(SMALL, "Accept-Encoding", "gzip", "Range", "bytes=0-99");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Encoding")).isEmpty();
    assertThat(response.body()).isEqualTo(SMALL_LOG);
  }

  @Test
  void aStoredEntryGoesOutAsItIs() {
    HttpResponse<byte[]> response = get(STORED, "Accept-Encoding", "gzip");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Encoding")).isEmpty();
    assertThat(response.body()).isEqualTo(SMALL_LOG);
  }

  @Test
  void eachVariantHasItsOwnStableEtagAndRevalidatesWith304() {
    String gzipTag =
        get(SMALL, "Accept-Encoding", "gzip").headers().firstValue("ETag").orElseThrow();
    String plainTag = get(SMALL).headers().firstValue("ETag").orElseThrow();
    String bigTag = get(BIG).headers().firstValue("ETag").orElseThrow();

    HttpResponse<byte[]> again =
        get(SMALL, "Accept-Encoding", "gzip", "If-None-Match", "\"other\", " + gzipTag);
    HttpResponse<byte[]> plainAgain = get(SMALL, "If-None-Match", plainTag);
    HttpResponse<byte[]> crossed = get(SMALL, "Accept-Encoding", "gzip", "If-None-Match", plainTag);

    assertThat(gzipTag).isNotEqualTo(plainTag).endsWith("-gz\"");
    assertThat(bigTag).isNotEqualTo(plainTag);
    assertThat(get(SMALL, "Accept-Encoding", "gzip").headers().firstValue("ETag"))
        .contains(gzipTag);
    assertThat(again.statusCode()).isEqualTo(304);
    assertThat(again.headers().firstValue("ETag")).contains(gzipTag);
    assertThat(again.headers().firstValue("Vary")).contains("Accept-Encoding");
    assertThat(again.headers().firstValue("Content-Security-Policy")).contains("sandbox");
    assertThat(again.headers().firstValue("X-Content-Type-Options")).contains("nosniff");
    assertThat(again.body()).isEmpty();
    assertThat(plainAgain.statusCode()).isEqualTo(304);
    assertThat(crossed.statusCode()).isEqualTo(200);
    assertThat(crossed.headers().firstValue("Content-Encoding")).contains("gzip");
  }

  @Test
  void headOfTheGzipVariantStatesItsLengthAndSendsNoBody() throws IOException {
    int length = get(SMALL, "Accept-Encoding", "gzip").body().length;

    HttpResponse<byte[]> head;
    try {
      head =
          server
              .client()
              .send(
                  HttpRequest.newBuilder(server.uri(SMALL))
                      .header("Accept-Encoding", "gzip")
                      .method("HEAD", HttpRequest.BodyPublishers.noBody())
                      .build(),
                  HttpResponse.BodyHandlers.ofByteArray());
    } catch (InterruptedException e) {
      throw new IllegalStateException(e);
    }

    assertThat(head.statusCode()).isEqualTo(200);
    assertThat(head.headers().firstValue("Content-Length")).contains(Integer.toString(length));
    assertThat(head.headers().firstValue("Content-Encoding")).contains("gzip");
    assertThat(head.body()).isEmpty();
  }

  @Test
  void aZipThatLiesAboutItsEntrysSizeGivesAGzipClientAnErrorNotACutLog() throws IOException {
    byte[] liar = Zips.claimingSize(Zips.of(Map.of("log.txt", "a".repeat(100_000))), 10);
    Files.write(server.site.resolve("github-jobs/9/liar.wwz"), liar);

    byte[] body = get("/github-jobs/9/liar.wwz/log.txt", "Accept-Encoding", "gzip").body();

    assertThatThrownBy(() -> gunzip(body)).isInstanceOf(ZipException.class);
  }

  @Test
  void aClientThatStallsBeforeReadingStillGetsTheWholeMember() throws Exception {
    try (java.net.Socket socket = new java.net.Socket()) {
      socket.setReceiveBufferSize(16 * 1024);
      socket.connect(new java.net.InetSocketAddress("127.0.0.1", server.port()));
      socket.setSoTimeout(30_000);
      socket
          .getOutputStream()
          .write(
              ("GET "
                      + BIG
                      + " HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\n"
                      + "Connection: close\r\n\r\n")
                  .getBytes(UTF_8));
      // The server fills the socket's buffers and has to wait for the client, more than once.
      Thread.sleep(1500);
      byte[] all = socket.getInputStream().readAllBytes();
      int body = indexOf(all, "\r\n\r\n".getBytes(UTF_8), 0) + 4;

      assertThat(new String(all, 0, body, UTF_8)).contains("Content-Encoding: gzip");
      assertThat(gunzip(java.util.Arrays.copyOfRange(all, body, all.length))).isEqualTo(BIG_LOG);
    }
  }

  @Test
  void manyClientsAtOnceEachGetTheWholeEntry() throws Exception {
    List<java.util.concurrent.CompletableFuture<HttpResponse<byte[]>>> all =
        java.util.stream.IntStream.range(0, 8)
            .mapToObj(
                i ->
                    server
                        .client()
                        .sendAsync(
                            HttpRequest.newBuilder(server.uri(BIG))
                                .header("Accept-Encoding", "gzip")
                                .build(),
                            HttpResponse.BodyHandlers.ofByteArray()))
            .toList();

    for (var response : all) {
      assertThat(gunzip(response.get(60, TimeUnit.SECONDS).body())).isEqualTo(BIG_LOG);
    }
  }

  @Test
  void theSitesPagesAndJsonGoOutGzippedWithTheirOwnEtagAndThePagesUnsandboxed() throws IOException {
    Files.writeString(server.site.resolve("github-jobs/9/index.html"), "<p>page</p>\n".repeat(500));
    Files.writeString(server.site.resolve("github-jobs/9/logs.json"), "{\"a\": 1}\n".repeat(500));

    for (String path : new String[] {"/github-jobs/9/", "/github-jobs/9/index.html"}) {
      HttpResponse<byte[]> page = get(path, "Accept-Encoding", "gzip");
      assertThat(page.statusCode()).isEqualTo(200);
      assertThat(page.headers().firstValue("Content-Encoding")).contains("gzip");
      assertThat(page.headers().firstValue("Content-Type")).contains("text/html; charset=utf-8");
      assertThat(page.headers().firstValue("Vary")).contains("Accept-Encoding");
      assertThat(page.headers().firstValue("Content-Security-Policy")).isEmpty();
      assertThat(new String(gunzip(page.body()), UTF_8)).isEqualTo("<p>page</p>\n".repeat(500));
      String tag = page.headers().firstValue("ETag").orElseThrow();
      assertThat(tag).endsWith("-gz\"");
      HttpResponse<byte[]> again = get(path, "Accept-Encoding", "gzip", "If-None-Match", tag);
      assertThat(again.statusCode()).isEqualTo(304);
      assertThat(again.headers().firstValue("Content-Security-Policy")).isEmpty();
      HttpResponse<byte[]> plain = get(path);
      assertThat(plain.headers().firstValue("Content-Encoding")).isEmpty();
      assertThat(plain.headers().firstValue("ETag")).isNotEqualTo(java.util.Optional.of(tag));
      assertThat(plain.headers().firstValue("Vary")).contains("Accept-Encoding");
    }
    HttpResponse<byte[]> json = get("/github-jobs/9/logs.json", "Accept-Encoding", "gzip");
    assertThat(json.headers().firstValue("Content-Encoding")).contains("gzip");
    assertThat(json.headers().firstValue("Content-Type")).contains("application/json");
    assertThat(json.headers().firstValue("Content-Security-Policy")).contains("sandbox");
    assertThat(new String(gunzip(json.body()), UTF_8)).isEqualTo("{\"a\": 1}\n".repeat(500));
    String jsonTag = json.headers().firstValue("ETag").orElseThrow();
    HttpResponse<byte[]> jsonAgain =
        get("/github-jobs/9/logs.json", "Accept-Encoding", "gzip", "If-None-Match", jsonTag);
    assertThat(jsonAgain.statusCode()).isEqualTo(304);
    assertThat(jsonAgain.headers().firstValue("Content-Security-Policy")).contains("sandbox");
  }

  @Test
  void aChangedPageIsCompressedAfresh() throws IOException {
    Path page = server.site.resolve("github-jobs/9/index.html");
    Files.writeString(page, "<p>one</p>\n".repeat(500));
    byte[] first = gunzip(get("/github-jobs/9/", "Accept-Encoding", "gzip").body());
    Files.writeString(page, "<p>two</p>\n".repeat(600));
    Files.setLastModifiedTime(
        page, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 5000));

    byte[] second = gunzip(get("/github-jobs/9/", "Accept-Encoding", "gzip").body());

    assertThat(new String(first, UTF_8)).isEqualTo("<p>one</p>\n".repeat(500));
    assertThat(new String(second, UTF_8)).isEqualTo("<p>two</p>\n".repeat(600));
  }

  @Test
  void aRangeOfAPageGetsThoseBytesPlain() throws IOException {
    Files.writeString(server.site.resolve("github-jobs/9/index.html"), "0123456789".repeat(100));

    HttpResponse<byte[]> part =
        get("/github-jobs/9/index.html", "Accept-Encoding", "gzip", "Range", "bytes=3-7");

    assertThat(part.statusCode()).isEqualTo(206);
    assertThat(part.headers().firstValue("Content-Encoding")).isEmpty();
    assertThat(part.headers().firstValue("Content-Range")).contains("bytes 3-7/1000");
    assertThat(new String(part.body(), UTF_8)).isEqualTo("34567");
  }

  @Test
  void theLogViewAndTheListingGoOutGzipped() throws IOException {
    HttpResponse<byte[]> view = get(SMALL + "?view", "Accept-Encoding", "gzip");
    HttpResponse<byte[]> listing =
        get(ZIP + "_tmp/soil/logs/-wwz-index", "Accept-Encoding", "gzip");

    assertThat(view.statusCode()).isEqualTo(200);
    assertThat(view.headers().firstValue("Content-Encoding")).contains("gzip");
    assertThat(view.headers().firstValue("Vary")).contains("Accept-Encoding");
    assertThat(new String(gunzip(view.body()), UTF_8)).contains("id=\"L1000\"");
    assertThat(listing.headers().firstValue("Content-Encoding")).contains("gzip");
    assertThat(listing.headers().firstValue("Content-Security-Policy")).contains("sandbox");
    assertThat(new String(gunzip(listing.body()), UTF_8)).contains("big.txt");
  }
}
