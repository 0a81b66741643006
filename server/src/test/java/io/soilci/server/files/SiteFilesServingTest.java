package io.soilci.server.files;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.soilci.files.AtomicFiles;
import io.soilci.server.testing.TestServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The site's plain files over HTTP from a real server: small ones come from the off-heap cache,
 * large ones (over 256 KiB) by sendfile; both must answer ETag, Last-Modified, 304, 412 and ranges
 * alike, and a file replaced by rename must be served new at once, even with the same size and
 * time.
 */
class SiteFilesServingTest {
  private static final int SMALL = 5 * 1024;
  private static final int LARGE = 1 << 20;

  @TempDir Path dir;
  private TestServer server;

  @BeforeEach
  void start() throws IOException {
    server = TestServer.start(dir);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private static byte[] bytes(int size, long seed) {
    byte[] out = new byte[size];
    new Random(seed).nextBytes(out);
    return out;
  }

  private Path write(String name, byte[] content) throws IOException {
    Path file = server.site.resolve(name);
    Files.createDirectories(file.getParent());
    AtomicFiles.write(file, content);
    return file;
  }

  private HttpResponse<byte[]> get(String path, String... headers) {
    return send("GET", path, headers);
  }

  private HttpResponse<byte[]> send(String method, String path, String... headers) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(server.uri(path))
            .method(method, HttpRequest.BodyPublishers.noBody());
    if (headers.length > 0) {
      request.headers(headers);
    }
    try {
      return server.client().send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {SMALL, LARGE})
  void aFileHasAnEtagAndDateAndRevalidatesWith304(int size) throws IOException {
    byte[] content = bytes(size, size);
    write("files/blob.bin", content);

    HttpResponse<byte[]> first = get("/files/blob.bin");
    String etag = first.headers().firstValue("ETag").orElseThrow();
    String modified = first.headers().firstValue("Last-Modified").orElseThrow();

    assertThat(first.statusCode()).isEqualTo(200);
    assertThat(first.body()).isEqualTo(content);
    assertThat(first.headers().firstValue("Content-Length")).contains(Integer.toString(size));
    assertThat(first.headers().firstValue("Content-Type")).contains("application/octet-stream");
    assertThat(first.headers().firstValue("Accept-Ranges")).contains("bytes");
    assertThat(first.headers().firstValue("Content-Security-Policy")).contains("sandbox");
    assertThat(first.headers().firstValue("X-Content-Type-Options")).contains("nosniff");
    assertThat(get("/files/blob.bin", "If-None-Match", etag).statusCode()).isEqualTo(304);
    assertThat(get("/files/blob.bin", "If-Modified-Since", modified).statusCode()).isEqualTo(304);
    assertThat(get("/files/blob.bin", "If-None-Match", "\"other\"").body()).isEqualTo(content);
    assertThat(get("/files/blob.bin", "If-Match", "\"other\"").statusCode()).isEqualTo(412);
    assertThat(get("/files/blob.bin", "If-Match", etag).body()).isEqualTo(content);
    HttpResponse<byte[]> head = send("HEAD", "/files/blob.bin");
    assertThat(head.headers().firstValue("Content-Length")).contains(Integer.toString(size));
    assertThat(head.headers().firstValue("ETag")).contains(etag);
    assertThat(head.body()).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(ints = {SMALL, LARGE})
  void aRangeGetsExactlyThoseBytes(int size) throws IOException {
    byte[] content = bytes(size, size + 1);
    write("files/blob.bin", content);
    String etag = get("/files/blob.bin").headers().firstValue("ETag").orElseThrow();

    HttpResponse<byte[]> middle = get("/files/blob.bin", "Range", "bytes=1000-1999");
    HttpResponse<byte[]> suffix = get("/files/blob.bin", "Range", "bytes=-100");
    HttpResponse<byte[]> open = get("/files/blob.bin", "Range", "bytes=4000-");
    HttpResponse<byte[]> beyond = get("/files/blob.bin", "Range", "bytes=" + size + "-");
    HttpResponse<byte[]> sameVersion =
        get("/files/blob.bin", "Range", "bytes=0-9", "If-Range", etag);
    HttpResponse<byte[]> otherVersion =
        get("/files/blob.bin", "Range", "bytes=0-9", "If-Range", "\"other\"");

    assertThat(middle.statusCode()).isEqualTo(206);
    assertThat(middle.headers().firstValue("Content-Range")).contains("bytes 1000-1999/" + size);
    assertThat(middle.body()).isEqualTo(Arrays.copyOfRange(content, 1000, 2000));
    assertThat(suffix.statusCode()).isEqualTo(206);
    assertThat(suffix.body()).isEqualTo(Arrays.copyOfRange(content, size - 100, size));
    assertThat(open.body()).isEqualTo(Arrays.copyOfRange(content, 4000, size));
    assertThat(beyond.statusCode()).isEqualTo(416);
    assertThat(beyond.headers().firstValue("Content-Range")).contains("bytes */" + size);
    assertThat(sameVersion.statusCode()).isEqualTo(206);
    assertThat(sameVersion.body()).isEqualTo(Arrays.copyOfRange(content, 0, 10));
    assertThat(otherVersion.statusCode()).isEqualTo(200);
    assertThat(otherVersion.body()).isEqualTo(content);
  }

  /**
   * A page renamed over a cached one with the same size and modification time (a second write
   * within the same millisecond): only the inode tells them apart, and the old ETag must not
   * revalidate the new page.
   */
  @ParameterizedTest
  @ValueSource(ints = {SMALL, LARGE})
  void aFileReplacedWithTheSameSizeAndTimeIsServedNewAndItsOldEtagNoLongerMatches(int size)
      throws IOException {
    byte[] one = bytes(size, 1);
    byte[] two = bytes(size, 2);
    Path file = write("run/page.html", one);
    FileTime time = Files.getLastModifiedTime(file);
    HttpResponse<byte[]> first = get("/run/page.html");
    String etag = first.headers().firstValue("ETag").orElseThrow();
    assertThat(first.body()).isEqualTo(one);

    Path next = server.site.resolve("run/next.tmp");
    Files.write(next, two);
    Files.setLastModifiedTime(next, time);
    Files.move(next, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    HttpResponse<byte[]> second = get("/run/page.html", "If-None-Match", etag);

    assertThat(second.statusCode()).isEqualTo(200);
    assertThat(second.body()).isEqualTo(two);
    assertThat(second.headers().firstValue("ETag")).isNotEqualTo(java.util.Optional.of(etag));
  }

  /** Every answer after a rename is the new page: the cache is never stale, for any size. */
  @ParameterizedTest
  @ValueSource(ints = {SMALL, LARGE})
  void aCachedPageIsNeverServedStaleAfterItIsReplaced(int size) throws IOException {
    for (int i = 0; i < 100; i++) {
      byte[] page = ("<p>version " + i + "</p>\n").repeat(size / 20).getBytes(UTF_8);
      write("run/index.html", page);
      assertThat(get("/run/").body()).as("version %d", i).isEqualTo(page);
      assertThat(get("/run/index.html").body()).as("version %d", i).isEqualTo(page);
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {SMALL, LARGE})
  void curlCompressedGetsATextFileByteForByte(int size) throws Exception {
    byte[] text = "line of a log that compresses well\n".repeat(size / 35).getBytes(UTF_8);
    write("run/log.txt", text);
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
                "%{size_download}",
                server.uri("/run/log.txt").toString())
            .start();
    String downloaded = new String(curl.getInputStream().readAllBytes(), UTF_8);

    assertThat(curl.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(curl.exitValue()).isZero();
    assertThat(Files.readAllBytes(out)).isEqualTo(text);
    assertThat(Long.parseLong(downloaded)).isLessThan(text.length / 10);
  }

  @ParameterizedTest
  @ValueSource(strings = {"/outside/secret.txt", "/linked.txt"})
  void linksAreNotFollowed(String path) throws IOException {
    Path outside = Files.createDirectories(dir.resolve("elsewhere"));
    Files.writeString(outside.resolve("secret.txt"), "secret");
    Files.createSymbolicLink(server.site.resolve("outside"), outside);
    Files.createSymbolicLink(server.site.resolve("linked.txt"), outside.resolve("secret.txt"));

    HttpResponse<byte[]> response = get(path);

    assertThat(response.statusCode()).isEqualTo(404);
    assertThat(new String(response.body(), UTF_8)).doesNotContain("secret");
  }

  @Test
  void aFolderRedirectKeepsTheQuery() throws IOException {
    write("run/index.html", "<p>run</p>".getBytes(UTF_8));

    HttpResponse<byte[]> response = get("/run?view=1&a=%20");

    assertThat(response.statusCode()).isEqualTo(302);
    assertThat(response.headers().firstValue("Location")).contains("./run/?view=1&a=%20");
  }

  @ParameterizedTest
  @ValueSource(strings = {"/run", "/run/", "/run/index.html"})
  void aFolderServesItsIndexAndIsRedirectedToWithItsSlash(String path) throws IOException {
    write("run/index.html", "<p>run</p>".getBytes(UTF_8));

    HttpResponse<byte[]> response =
        server
            .client()
            .sendAsync(
                HttpRequest.newBuilder(server.uri(path)).build(),
                HttpResponse.BodyHandlers.ofByteArray())
            .join();

    if (path.equals("/run")) {
      assertThat(response.statusCode()).isEqualTo(302);
      // Relative to the address asked: no scheme or host (the Host header is never echoed), so
      // behind a TLS proxy the browser stays on https.
      assertThat(response.headers().firstValue("Location")).contains("./run/");
    } else {
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(new String(response.body(), UTF_8)).isEqualTo("<p>run</p>");
      assertThat(response.headers().firstValue("Content-Type"))
          .contains("text/html; charset=utf-8");
      assertThat(response.headers().firstValue("Content-Security-Policy")).isEmpty();
    }
  }

  /** A file deleted is 404 at once, however hot it was (in memory, or open for sendfile). */
  @ParameterizedTest
  @ValueSource(ints = {SMALL, LARGE})
  void aHotFileDeletedIsNotFoundAtOnce(int size) throws IOException {
    Path file = write("run/gone.bin", bytes(size, 3));
    for (int i = 0; i < 3; i++) {
      assertThat(get("/run/gone.bin").statusCode()).isEqualTo(200);
    }

    Files.delete(file);

    assertThat(get("/run/gone.bin").statusCode()).isEqualTo(404);
    assertThat(get("/run/gone.bin", "Accept-Encoding", "gzip").statusCode()).isEqualTo(404);
  }

  /**
   * The first answer for a file is made on a worker thread; later ones come on the IO thread from
   * what the first left at hand (its bytes in memory, or the file kept open for sendfile). Both
   * must be the same answer, header for header, for every kind of request.
   */
  @ParameterizedTest
  @ValueSource(ints = {SMALL, LARGE})
  void aHotFileIsAnsweredExactlyAsTheFirstTime(int size) throws IOException {
    byte[] text = "a line of a log that compresses\n".repeat(size / 32).getBytes(UTF_8);
    String[][] requests = {
      {"GET"},
      {"GET", "Accept-Encoding", "gzip"},
      {"HEAD"},
      {"HEAD", "Accept-Encoding", "gzip"},
      {"GET", "Range", "bytes=100-199"},
      {"GET", "Range", "bytes=" + size + "-"},
      {"GET", "If-Match", "\"other\""},
    };
    for (int i = 0; i < requests.length; i++) {
      String path = "/run/log-" + i + ".txt";
      write(path.substring(1), text);
      String method = requests[i][0];
      String[] headers = Arrays.copyOfRange(requests[i], 1, requests[i].length);

      HttpResponse<byte[]> first = send(method, path, headers);
      HttpResponse<byte[]> hot = send(method, path, headers);
      String etag = first.headers().firstValue("ETag").orElse("\"none\"");
      String[] again = Arrays.copyOf(headers, headers.length + 2);
      again[headers.length] = "If-None-Match";
      again[headers.length + 1] = etag;
      HttpResponse<byte[]> revalidated = send(method, path, again);

      assertThat(hot.statusCode())
          .as("%s %s", method, List.of(headers))
          .isEqualTo(first.statusCode());
      assertThat(hot.body()).as("%s %s", method, List.of(headers)).isEqualTo(first.body());
      assertThat(withoutDate(hot))
          .as("%s %s", method, List.of(headers))
          .isEqualTo(withoutDate(first));
      if (first.statusCode() == 200) {
        assertThat(revalidated.statusCode()).isEqualTo(304);
      }
    }
  }

  private static Map<String, List<String>> withoutDate(HttpResponse<?> response) {
    Map<String, List<String>> headers = new TreeMap<>(response.headers().map());
    headers.remove("date");
    return headers;
  }
}
