package io.soilci.server.logview;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.soilci.server.testing.TestServer;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code …/TASK.txt?search=} against a real server: the lines of the whole log, as JSON. */
class LogSearchHttpTest {
  private static final String LOG = "/github-jobs/7/build.wwz/_tmp/soil/logs/unit.txt";

  @TempDir Path dir;
  private TestServer server;

  @BeforeEach
  void start() throws IOException {
    server = TestServer.start(dir);
    Path run = Files.createDirectories(server.site.resolve("github-jobs/7"));
    try (ZipOutputStream zip =
        new ZipOutputStream(Files.newOutputStream(run.resolve("build.wwz")))) {
      zip.putNextEntry(new ZipEntry("_tmp/soil/logs/unit.txt"));
      StringBuilder log = new StringBuilder();
      for (int i = 1; i <= 3000; i++) {
        log.append(i % 1000 == 0 ? "\u001b[31mError\u001b[0m: at " + i : "ok " + i).append('\n');
      }
      log.append("x\n".repeat(1200));
      zip.write(log.toString().getBytes(UTF_8));
    }
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void answersTheMatchingLinesOfTheWholeLog() {
    HttpResponse<String> found = server.get(LOG + "?search=error");

    assertThat(found.statusCode()).isEqualTo(200);
    assertThat(found.body())
        .isEqualTo(
            "{\"query\":\"error\",\"lines\":[1000,2000,3000],\"more\":false,\"timedOut\":false,"
                + "\"searched\":4200}");
    assertThat(found.headers().firstValue("Content-Type")).contains("application/json");
    assertThat(found.headers().firstValue("Content-Security-Policy")).contains("sandbox");
    assertThat(server.get(LOG + "?search=error&case=1").body()).contains("\"lines\":[]");
    assertThat(server.get(LOG + "?search=%5Eok+1%24&regex=1").body()).contains("\"lines\":[1]");
  }

  @Test
  void capsTheAnswerAtAThousandLinesAndSaysThereAreMore() {
    String body = server.get(LOG + "?search=x").body();

    assertThat(body).contains("\"more\":true").contains(",4000]");
    assertThat(body.split(",").length).isEqualTo(1000 + 4);
  }

  @Test
  void refusesABadSearchWithThePreciseRule() {
    HttpResponse<String> empty = server.get(LOG + "?search=");
    HttpResponse<String> badRegex = server.get(LOG + "?search=a(b&regex=1");
    HttpResponse<String> badFlag = server.get(LOG + "?search=a&case=yes");
    HttpResponse<String> tooLong = server.get(LOG + "?search=" + "a".repeat(201));

    assertThat(empty.statusCode()).isEqualTo(400);
    assertThat(empty.body())
        .isEqualTo("search '' must not be empty: give the text to find, e.g. search=error\n");
    assertThat(badRegex.body())
        .isEqualTo(
            "search 'a(b' is not a valid regular expression (Unclosed group near index 3); leave"
                + " out regex=1 to search for the text as it is\n");
    assertThat(badFlag.body()).isEqualTo("case 'yes' must be 1 (on) or 0 (off, the default)\n");
    assertThat(tooLong.body())
        .isEqualTo(
            "search of 201 characters is over the limit of 200; search for a shorter part of the"
                + " line\n");
  }
}
