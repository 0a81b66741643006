package io.soilci.server.wwz;

import static org.assertj.core.api.Assertions.assertThat;

import io.soilci.server.testing.SiteTrees;
import io.soilci.server.testing.TestServer;
import io.soilci.server.testing.Zips;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class WwzServingTest {
  private static final String WWZ = "/github-jobs/4101/cpp-small.wwz/";

  @TempDir Path dir;
  private TestServer server;

  @BeforeEach
  void start() throws IOException {
    server = TestServer.withFixtures(dir);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void servesTheZipsIndexHtmlSandboxed() {
    HttpResponse<String> response = server.get(WWZ);

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).contains("text/html; charset=utf-8");
    assertThat(response.headers().firstValue("Content-Security-Policy")).contains("sandbox");
    assertThat(response.headers().firstValue("X-Content-Type-Options")).contains("nosniff");
    assertThat(response.body()).contains("href=\"_tmp/soil/INDEX.tsv\"");
  }

  @Test
  void servesALogAsPlainTextWithItsExactBytes() {
    HttpResponse<String> response = server.get(WWZ + "_tmp/soil/logs/unit.txt");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).contains("text/plain; charset=utf-8");
    assertThat(response.headers().firstValue("Content-Security-Policy")).contains("sandbox");
    assertThat(response.body()).isNotEmpty();
    assertThat(response.headers().firstValue("Content-Length"))
        .contains(Integer.toString(response.body().length()));
  }

  @Test
  void servesTheTaskTableInsideTheZip() {
    HttpResponse<String> response = server.get(WWZ + "_tmp/soil/INDEX.tsv");

    assertThat(response.body())
        .isEqualTo(
            new String(
                SiteTrees.fixture("github-jobs/4101/cpp-small.tsv"), StandardCharsets.UTF_8));
  }

  @Test
  void redirectsTheZipWithoutASlashToTheFolder() {
    HttpResponse<String> response = server.get("/github-jobs/4101/cpp-small.wwz");

    assertThat(response.statusCode()).isEqualTo(302);
    assertThat(response.headers().firstValue("Location")).contains("./cpp-small.wwz/");
    assertThat(resolved("/github-jobs/4101/cpp-small.wwz", response))
        .isEqualTo("/github-jobs/4101/cpp-small.wwz/");
  }

  @Test
  void redirectsAFolderWithoutIndexToItsListing() {
    HttpResponse<String> response = server.get(WWZ + "_tmp/soil/");

    assertThat(response.statusCode()).isEqualTo(302);
    assertThat(response.headers().firstValue("Location")).contains("./-wwz-index");
    assertThat(resolved(WWZ + "_tmp/soil/", response)).isEqualTo(WWZ + "_tmp/soil/-wwz-index");
  }

  @Test
  void redirectsAFolderNamedWithoutItsSlash() {
    HttpResponse<String> response = server.get(WWZ + "_tmp/soil");

    assertThat(response.statusCode()).isEqualTo(302);
    assertThat(response.headers().firstValue("Location")).contains("./soil/");
    assertThat(resolved(WWZ + "_tmp/soil", response)).isEqualTo(WWZ + "_tmp/soil/");
  }

  /** The path a browser that asked for {@code path} goes to when it follows the redirect. */
  private String resolved(String path, HttpResponse<?> redirect) {
    return server
        .uri(path)
        .resolve(redirect.headers().firstValue("Location").orElseThrow())
        .getRawPath();
  }

  @Test
  void aFolderNamedWithSpacesOrNonAsciiLettersIsReachedThroughItsRedirects() throws IOException {
    Map<String, String> entries = new LinkedHashMap<>();
    entries.put("logs/\u00fcn\u00ef code/out.txt", "x");
    Files.write(server.site.resolve("github-jobs/4101/names.wwz"), Zips.of(entries));
    String folder = "/github-jobs/4101/names.wwz/logs/%C3%BCn%C3%AF%20code";

    HttpResponse<String> noSlash = server.get(folder);
    HttpResponse<String> slash = server.get(folder + "/");

    assertThat(noSlash.statusCode()).isEqualTo(302);
    assertThat(noSlash.headers().firstValue("Location")).contains("./%C3%BCn%C3%AF%20code/");
    assertThat(resolved(folder, noSlash)).isEqualTo(folder + "/");
    assertThat(slash.statusCode()).isEqualTo(302);
    assertThat(resolved(folder + "/", slash)).isEqualTo(folder + "/-wwz-index");
    HttpResponse<String> listing = server.get(folder + "/-wwz-index");
    assertThat(listing.statusCode()).isEqualTo(200);
    assertThat(listing.body()).contains("href=\"./out.txt\"");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "a%0D%0AX-Injected:%20yes/ | 400 | path 'a\\x0d\\x0aX-Injected: yes/' must be a relative"
            + " path of at most 1024 characters with no '..', '.', empty segment, backslash or"
            + " control character",
        "_tmp/soil/../../x/ | 400 | path '_tmp/soil/../../x/' must be a relative path of at most"
            + " 1024 characters with no '..', '.', empty segment, backslash or control character",
        "_tmp/nothing/ | 404 | no folder '_tmp/nothing/' in github-jobs/4101/cpp-small.wwz"
      })
  void aFolderPathThatNamesNoFolderIsRefusedOrNotFoundNeverRedirected(
      String path, int status, String message) throws IOException {
    String before = SiteTrees.checksum(server.site);

    HttpResponse<String> response = server.get(WWZ + path);

    assertThat(response.statusCode()).isEqualTo(status);
    assertThat(response.headers().firstValue("Location")).isEmpty();
    assertThat(response.body()).isEqualTo(message + "\n");
    assertThat(SiteTrees.checksum(server.site)).isEqualTo(before);
  }

  @Test
  void aFolderPathOfMalformedUtf8IsNotFoundNeverRedirected() {
    HttpResponse<String> response = server.get(WWZ + "%C0%AE%C0%AE/");

    assertThat(response.statusCode()).isEqualTo(404);
    assertThat(response.headers().firstValue("Location")).isEmpty();
    assertThat(response.body())
        .isEqualTo("no folder '\uFFFD\uFFFD\uFFFD\uFFFD/' in github-jobs/4101/cpp-small.wwz\n");
  }

  @Test
  void listsAFolderOfTheZip() {
    HttpResponse<String> response = server.get(WWZ + "_tmp/soil/-wwz-index");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body())
        .contains("href=\"./logs/-wwz-index\">logs/</a>")
        .contains("href=\"./INDEX.tsv\">INDEX.tsv</a>")
        .contains("href=\"../-wwz-index\"");
  }

  @ParameterizedTest
  @CsvSource({
    "evil.xml, application/xml",
    "evil.xhtml, text/plain; charset=utf-8",
    "evil.svg, image/svg+xml",
    "evil.html, text/html; charset=utf-8",
    "evil.pdf, application/pdf",
    "evil.unknownext, text/plain; charset=utf-8",
    "noextension, text/plain; charset=utf-8",
    "-wwz-index, text/html; charset=utf-8"
  })
  void servesEveryEntryOfAJobSandboxedAndUnsniffedWhateverItsType(String name, String type)
      throws IOException {
    String script = "<html xmlns=\"http://www.w3.org/1999/xhtml\"><script>alert(1)</script></html>";
    Map<String, String> entries = new LinkedHashMap<>();
    entries.put("evil.xml", script);
    entries.put("evil.xhtml", script);
    entries.put(
        "evil.svg", "<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>");
    entries.put("evil.html", script);
    entries.put("evil.pdf", "%PDF-1.4 " + script);
    entries.put("evil.unknownext", script);
    entries.put("noextension", script);
    Files.write(server.site.resolve("github-jobs/4101/evil.wwz"), Zips.of(entries));

    HttpResponse<String> response = server.get("/github-jobs/4101/evil.wwz/" + name);

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).contains(type);
    assertThat(response.headers().firstValue("Content-Security-Policy")).contains("sandbox");
    assertThat(response.headers().firstValue("X-Content-Type-Options")).contains("nosniff");
  }

  @Test
  void servesAJobsJsonAndTsvSandboxedButTheSitesOwnPagesNot() {
    HttpResponse<String> json = server.get("/github-jobs/4101/cpp-small.json");
    HttpResponse<String> tsv = server.get("/github-jobs/4101/cpp-small.tsv");
    HttpResponse<String> page = server.get("/github-jobs/4101/index.html");

    assertThat(json.statusCode()).isEqualTo(200);
    assertThat(json.headers().firstValue("Content-Security-Policy")).contains("sandbox");
    assertThat(tsv.headers().firstValue("Content-Security-Policy")).contains("sandbox");
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.headers().firstValue("Content-Security-Policy")).isEmpty();
  }

  @ParameterizedTest
  @CsvSource({"/github-jobs/4101/index.html", "/github-jobs/4101/", "/github-jobs/index.html"})
  void aPageRevalidatedWith304CarriesNoSandboxForTheBrowserToMergeIntoItsCachedCopy(String path) {
    HttpResponse<String> first = server.get(path);
    String etag = first.headers().firstValue("ETag").orElseThrow();

    HttpResponse<String> again =
        server.send(
            HttpRequest.newBuilder(server.uri(path)).header("If-None-Match", etag).GET().build());

    assertThat(again.statusCode()).isEqualTo(304);
    assertThat(again.headers().firstValue("Content-Security-Policy")).isEmpty();
    assertThat(first.headers().firstValue("Content-Security-Policy")).isEmpty();
  }

  @Test
  void aJobFileRevalidatedWith304KeepsItsSandbox() {
    String path = "/github-jobs/4101/cpp-small.json";
    String etag = server.get(path).headers().firstValue("ETag").orElseThrow();

    HttpResponse<String> again =
        server.send(
            HttpRequest.newBuilder(server.uri(path)).header("If-None-Match", etag).GET().build());

    assertThat(again.statusCode()).isEqualTo(304);
    assertThat(again.headers().firstValue("Content-Security-Policy")).contains("sandbox");
  }

  @Test
  void escapesEntryNamesInTheListing() throws IOException {
    Map<String, String> entries = new LinkedHashMap<>();
    entries.put("<script>alert(1)</script>.txt", "x");
    Files.write(server.site.resolve("github-jobs/4101/evil.wwz"), Zips.of(entries));

    String body = server.get("/github-jobs/4101/evil.wwz/-wwz-index").body();

    assertThat(body).doesNotContain("<script>alert").contains("&lt;script&gt;alert(1)");
  }

  @Test
  void answers404ForAMissingEntry() {
    HttpResponse<String> response = server.get(WWZ + "_tmp/soil/logs/nope.txt");

    assertThat(response.statusCode()).isEqualTo(404);
    assertThat(response.body()).isEqualTo("no file '_tmp/soil/logs/nope.txt' in this zip\n");
  }

  @Test
  void rejectsTraversalInTheEntryPath() {
    HttpResponse<String> response = server.get(WWZ + "_tmp/../../cpp-small.json");

    assertThat(response.body())
        .isEqualTo(
            "path '_tmp/../../cpp-small.json' must be a relative path of at most 1024"
                + " characters with no '..', '.', empty segment, backslash or control character\n");
    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(server.get(WWZ + "_tmp/..%2F..%2Fcpp-small.json").statusCode()).isEqualTo(404);
  }

  @Test
  void answers304ToARepeatedRequestWithItsEtag() {
    HttpResponse<String> first = server.get(WWZ + "_tmp/soil/INDEX.tsv");
    String etag = first.headers().firstValue("ETag").orElseThrow();

    HttpResponse<String> again =
        server.send(
            HttpRequest.newBuilder(server.uri(WWZ + "_tmp/soil/INDEX.tsv"))
                .header("If-None-Match", etag)
                .build());

    assertThat(again.statusCode()).isEqualTo(304);
    assertThat(first.headers().firstValue("Last-Modified")).isPresent();
  }

  @Test
  void servesAReplacedZipFreshAtOnce() throws IOException {
    Path zip = server.site.resolve("github-jobs/4101/cpp-small.wwz");
    assertThat(server.get(WWZ + "_tmp/soil/INDEX.tsv").statusCode()).isEqualTo(200);
    Path next = server.site.resolve("github-jobs/4101/.tmp-next.wwz");
    Files.write(next, Zips.of(Map.of("_tmp/soil/INDEX.tsv", "replaced\n")));
    Files.setLastModifiedTime(next, FileTime.from(Instant.now().plusSeconds(5)));

    Files.move(next, zip, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);

    assertThat(server.get(WWZ + "_tmp/soil/INDEX.tsv").body()).isEqualTo("replaced\n");
  }

  @Test
  void neverServesTempFilesOrHiddenFolders() throws IOException {
    Files.writeString(server.site.resolve("github-jobs/4101/.tmp-123-x.json"), "{}");

    assertThat(server.get("/github-jobs/4101/.tmp-123-x.json").statusCode()).isEqualTo(404);
    assertThat(server.get("/github-jobs/4101/%2Etmp-123-x.json").statusCode()).isEqualTo(404);
    assertThat(server.get("/github-jobs/4101/cpp-small.json").statusCode()).isEqualTo(200);
  }

  @Test
  void neverServesTheStateFolder() {
    assertThat(server.get("/../state/workers.json").statusCode()).isIn(400, 404);
    assertThat(server.get("/%2E%2E/state/workers.json").statusCode()).isIn(400, 404);
  }

  @Test
  void servesStaticFilesWithNosniffAndAnEtag() {
    HttpResponse<String> response = server.get("/github-jobs/4101/cpp-small.tsv");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("X-Content-Type-Options")).contains("nosniff");
    assertThat(response.headers().firstValue("ETag")).isPresent();
  }

  @Test
  void sendsNoMoreThanAnEntrysDeclaredSize() throws IOException {
    byte[] zip = Zips.claimingSize(Zips.of(Map.of("log.txt", "a".repeat(100_000))), 10);
    Files.write(server.site.resolve("github-jobs/4101/liar.wwz"), zip);

    HttpResponse<String> response = server.get("/github-jobs/4101/liar.wwz/log.txt");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("a".repeat(10));
  }

  @Test
  void streamsAnEntryTooLargeToKeepInflated() throws IOException {
    Files.write(server.site.resolve("github-jobs/4101/big.wwz"), Zips.zeros("big.txt", 9 << 20));

    HttpResponse<byte[]> response =
        server
            .client()
            .sendAsync(
                HttpRequest.newBuilder(server.uri("/github-jobs/4101/big.wwz/big.txt")).build(),
                HttpResponse.BodyHandlers.ofByteArray())
            .join();

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).hasSize(9 << 20);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "/github-jobs/4101/linked.wwz/secret.txt",
        "/github-jobs/linked/secret.wwz/secret.txt",
        "/github-jobs/linked/secret.wwz/"
      })
  void aZipReachedThroughALinkIsNotServed(String path) throws IOException {
    Path outside = Files.createDirectories(dir.resolve("elsewhere"));
    Files.write(outside.resolve("secret.wwz"), Zips.of(Map.of("secret.txt", "secret\n")));
    Files.createSymbolicLink(
        server.site.resolve("github-jobs/4101/linked.wwz"), outside.resolve("secret.wwz"));
    Files.createSymbolicLink(server.site.resolve("github-jobs/linked"), outside);

    for (int i = 0; i < 3; i++) {
      HttpResponse<String> response = server.get(path);

      assertThat(response.statusCode()).isEqualTo(404);
      assertThat(response.body()).doesNotContain("secret\n");
    }
  }

  /**
   * A zip answered on the IO thread remembers where it is and what each entry needs, but it is
   * still never used through a link: once a folder on its way is replaced by a link to that very
   * folder moved out of the site (the same zip, the same inode, size and time), none of its entries
   * is served, from memory, from its inflated file or as gzip.
   */
  @ParameterizedTest
  @CsvSource({"false, 200", "true, 200", "false, 20000"})
  void aHotZipWhoseFolderBecomesALinkIsNotServed(boolean gzip, int lines) throws IOException {
    String text = "a line of a log\n".repeat(lines);
    Path folder = Files.createDirectories(server.site.resolve("github-jobs/4101/logs"));
    Files.write(folder.resolve("hot.wwz"), Zips.of(Map.of("log.txt", text)));
    String path = "/github-jobs/4101/logs/hot.wwz/log.txt";
    for (int i = 0; i < 3; i++) {
      assertThat(body(path, gzip)).isEqualTo(text);
    }

    Path outside = Files.createDirectories(dir.resolve("elsewhere")).resolve("logs");
    Files.move(folder, outside);
    Files.createSymbolicLink(folder, outside);

    for (int i = 0; i < 3; i++) {
      HttpResponse<byte[]> response = get(path, gzip);

      assertThat(response.statusCode()).isEqualTo(404);
    }
  }

  private HttpResponse<byte[]> get(String path, boolean gzip) {
    HttpRequest.Builder request = HttpRequest.newBuilder(server.uri(path));
    if (gzip) {
      request.header("Accept-Encoding", "gzip");
    }
    return server
        .client()
        .sendAsync(request.build(), HttpResponse.BodyHandlers.ofByteArray())
        .join();
  }

  /** The entry's plain text, inflated here if it came gzipped. */
  private String body(String path, boolean gzip) throws IOException {
    HttpResponse<byte[]> response = get(path, gzip);
    assertThat(response.statusCode()).isEqualTo(200);
    byte[] body = response.body();
    if (response.headers().firstValue("Content-Encoding").orElse("").equals("gzip")) {
      body = new GZIPInputStream(new ByteArrayInputStream(body)).readAllBytes();
    } else {
      assertThat(gzip).as("a gzip client gets gzip").isFalse();
    }
    return new String(body, StandardCharsets.UTF_8);
  }

  /**
   * A hot entry is answered on the IO thread: a small one from memory, a large one (over 256 KiB)
   * by sendfile from the file it was inflated into, the gzip variant by sendfile from the zip; a
   * zip renamed over it must be served new at once all the same.
   */
  @ParameterizedTest
  @CsvSource({"false, 200", "true, 200", "false, 20000", "true, 20000"})
  void aHotEntryOfAZipReplacedByRenameIsServedNewAtOnce(boolean gzip, int lines)
      throws IOException {
    Path zip = server.site.resolve("github-jobs/4101/cpp-small.wwz");
    Path next = server.site.resolve("github-jobs/4101/.tmp-next.wwz");
    for (int version = 0; version < 10; version++) {
      String text = ("version " + version + " of the log\n").repeat(lines);
      Files.write(next, Zips.of(Map.of("_tmp/soil/logs/unit.txt", text)));
      Files.move(next, zip, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);

      for (int i = 0; i < 3; i++) {
        HttpRequest.Builder request =
            HttpRequest.newBuilder(server.uri(WWZ + "_tmp/soil/logs/unit.txt"));
        if (gzip) {
          request.header("Accept-Encoding", "gzip");
        }
        HttpResponse<byte[]> response =
            server
                .client()
                .sendAsync(request.build(), HttpResponse.BodyHandlers.ofByteArray())
                .join();
        byte[] body = response.body();
        if (gzip) {
          assertThat(response.headers().firstValue("Content-Encoding")).contains("gzip");
          body = new GZIPInputStream(new ByteArrayInputStream(body)).readAllBytes();
        }

        assertThat(new String(body, StandardCharsets.UTF_8))
            .as("version %d", version)
            .isEqualTo(text);
      }
    }
  }

  /**
   * A large entry is inflated into a file that is deleted as soon as it is open: the state folder
   * holds none of them, and the entry is served whole, as HEAD says, with its ETag and 304.
   */
  @Test
  void aLargeEntryIsServedFromAnInflatedFileThatLeavesNothingOnTheDisk() throws IOException {
    String text = "a line of a large log\n".repeat(50_000);
    Files.write(
        server.site.resolve("github-jobs/4101/large.wwz"), Zips.of(Map.of("log.txt", text)));
    String path = "/github-jobs/4101/large.wwz/log.txt";

    HttpResponse<String> first = server.get(path);
    HttpResponse<String> hot = server.get(path);
    HttpResponse<String> head =
        server.send(
            HttpRequest.newBuilder(server.uri(path))
                .method("HEAD", HttpRequest.BodyPublishers.noBody())
                .build());
    HttpResponse<String> revalidated =
        server.send(
            HttpRequest.newBuilder(server.uri(path))
                .header("If-None-Match", first.headers().firstValue("ETag").orElseThrow())
                .build());

    assertThat(first.body()).isEqualTo(text);
    assertThat(hot.body()).isEqualTo(text);
    assertThat(hot.headers().firstValue("ETag")).isEqualTo(first.headers().firstValue("ETag"));
    assertThat(head.headers().firstValue("Content-Length"))
        .contains(Integer.toString(text.length()));
    assertThat(revalidated.statusCode()).isEqualTo(304);
    try (var left = Files.list(server.state.resolve("wwz-inflated"))) {
      assertThat(left).isEmpty();
    }
  }
}
