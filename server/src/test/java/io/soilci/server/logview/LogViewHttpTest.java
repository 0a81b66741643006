package io.soilci.server.logview;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.soilci.server.testing.TestServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The log view over HTTP: a real server, real zips in its site folder. */
class LogViewHttpTest {
  private static final String LOGS = "/github-jobs/7/build.wwz/_tmp/soil/logs/";
  private static final String HASH = "0123456789abcdef0123456789abcdef01234567";

  @TempDir Path dir;
  private TestServer server;

  /** Writes one log's bytes into the stream. */
  @FunctionalInterface
  interface Log {
    void write(OutputStream out) throws IOException;
  }

  @BeforeEach
  void start() throws IOException {
    server = TestServer.start(dir);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private void job(String task, int status, double elapsed, Log log) throws IOException {
    Path run = server.site.resolve("github-jobs/7");
    Files.createDirectories(run);
    try (ZipOutputStream zip =
        new ZipOutputStream(Files.newOutputStream(run.resolve("build.wwz")))) {
      zip.putNextEntry(new ZipEntry("_tmp/soil/INDEX.tsv"));
      String row = status + "\t" + elapsed + "\t" + task + "\tci.sh\t" + task + "\t-\n";
      zip.write(row.getBytes(UTF_8));
      zip.putNextEntry(new ZipEntry("_tmp/soil/logs/" + task + ".txt"));
      log.write(zip);
      zip.closeEntry();
    }
    Files.writeString(
        run.resolve("build.json"), "{\"job-name\": \"build\", \"commit-hash\": \"" + HASH + "\"}");
  }

  private static Log text(String s) {
    return out -> out.write(s.getBytes(UTF_8));
  }

  private static Log fixture(String name) {
    return out -> {
      try (var in = LogViewHttpTest.class.getResourceAsStream(name)) {
        in.transferTo(out);
      }
    };
  }

  @Test
  void showsAFailedLogWithItsHeaderTheFailureAndNumberedLines() throws IOException {
    job("unit", 1, 65.2, fixture("pytest.txt"));

    HttpResponse<String> page = server.get(LOGS + "unit.txt?view");

    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.headers().firstValue("Content-Type")).contains("text/html; charset=utf-8");
    assertThat(page.headers().firstValue("X-Content-Type-Options")).contains("nosniff");
    assertThat(page.headers().firstValue("Content-Security-Policy"))
        .hasValueSatisfying(
            p -> assertThat(p).startsWith("default-src 'none'; script-src 'self';"));
    assertThat(page.body())
        .contains("<title>unit \u00b7 build \u00b7 run 7</title>")
        .contains("<span class=\"status fail\">1</span> <span class=\"muted\">1:05</span>")
        .contains("<a href=\"../../../../index.html#job-build\">build</a>")
        .contains(
            "<a class=\"hash\" href=\"../../../../../commits/" + HASH + ".html\">01234567</a>")
        .contains(
            "<a href=\"unit.txt\">raw</a> &middot; <a href=\"unit.txt\" download>download</a>")
        .contains("href=\"../../../../../../web/site.css\"")
        .contains("<p class=\"why-head\">pytest error at <a href=\"#L11\">line 11</a></p>")
        .contains(
            "<div id=\"L13\"><a class=\"n\" href=\"#L13\" data-n=\"13\"></a><span class=\"t\">")
        .contains("<div id=\"L11\" class=\"err\">")
        .contains("<span class=\"f1 b\">E       assert -1 == 5</span>");
  }

  @Test
  void theRawLogStaysAtItsUrlByteForByte() throws IOException {
    job("unit", 0, 1, text("\u001b[32mok\u001b[0m <b>\n"));

    HttpResponse<String> raw = server.get(LOGS + "unit.txt");

    assertThat(raw.headers().firstValue("Content-Type")).contains("text/plain; charset=utf-8");
    assertThat(raw.body()).isEqualTo("\u001b[32mok\u001b[0m <b>\n");
  }

  @Test
  void explainsATimeoutASignalAndTheCapMarker() throws IOException {
    String capped =
        "working\n\n[soil-worker: log cut at 8388608 bytes (--log-cap); the task's further output"
            + " was discarded]\n";
    job("slow", 124, 900.4, text(capped));
    String timedOut = server.get(LOGS + "slow.txt?view").body();
    job("slow", 137, 3, text("x\n"));
    String killed = server.get(LOGS + "slow.txt?view").body();

    assertThat(timedOut)
        .contains("<span class=\"status fail\">124 (timed out after 900 s)</span>")
        .contains("<div id=\"L3\" class=\"marker\">")
        .contains(" <b class=\"why\">log cut at 8 MiB</b>");
    assertThat(killed).contains("<span class=\"status fail\">137 (killed by SIGKILL)</span>");
  }

  @Test
  void nothingFromAHostileLogIsReadAsHtml() throws IOException {
    byte[] hostile =
        ("<script>alert(1)</script>\n\u001b[31m</span><img src=x onerror=alert(2)>\u001b[0m\n"
                + "a\u0000b\u001b]8;;javascript:alert(3)\u0007link\u001b]8;;\u0007\n")
            .getBytes(UTF_8);
    byte[] invalid = {(byte) 0xff, (byte) 0xfe, 'z', (byte) 0xc3, '\n'};
    byte[] binary = new byte[8192];
    new java.util.Random(12).nextBytes(binary);
    job(
        "evil",
        2,
        1,
        out -> {
          out.write(hostile);
          out.write(invalid);
          out.write(binary);
        });

    HttpResponse<String> page = server.get(LOGS + "evil.txt?view");

    assertThat(page.statusCode()).isEqualTo(200);
    String body = page.body();
    int start = body.indexOf("<pre class=\"log-lines\" id=\"lines\">");
    String lines = body.substring(start, body.indexOf("</pre>", start) + "</pre>".length());
    assertThat(lines)
        .contains("&lt;script&gt;alert(1)&lt;/script&gt;")
        .contains("<span class=\"f1\">&lt;/span&gt;&lt;img src=x onerror=alert(2)&gt;</span>")
        .contains("a\u2400blink")
        .contains("\ufffd\ufffdz\ufffd")
        .doesNotContain("<script", "<img", "javascript:");
    String tags = lines.replaceAll("<(/?)(div|span|a|pre|details|summary|b)( [^<>]*)?>", "");
    assertThat(tags).doesNotContain("<", ">");
  }

  @Test
  void aFiftyMegabyteLineIsCutWithALinkToTheRawLog() throws IOException {
    byte[] chunk = "0123456789abcdef".repeat(4096).getBytes(UTF_8);
    job(
        "wide",
        0,
        1,
        out -> {
          out.write("before\n".getBytes(UTF_8));
          for (int i = 0; i < (50 << 20) / chunk.length; i++) {
            out.write(chunk);
          }
          out.write("\nafter\n".getBytes(UTF_8));
        });

    HttpResponse<String> page = server.get(LOGS + "wide.txt?view");

    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body().length()).isLessThan(64 * 1024);
    assertThat(page.body())
        .contains(
            "<span class=\"cut\">\u2026 line cut, 52,428,800 bytes in all:"
                + " <a href=\"wide.txt\">raw log</a></span>")
        .contains(
            "<div id=\"L3\"><a class=\"n\" href=\"#L3\" data-n=\"3\"></a><span class=\"t\">after");
  }

  @Test
  void aThirtyTwoMegabyteBinaryLogOpensAtItsLastWindowFromItsInflatedCopyAsTextOnly()
      throws IOException {
    java.util.Random random = new java.util.Random(7);
    byte[] chunk = new byte[1 << 20];
    job(
        "bin",
        1,
        1,
        out -> {
          for (int i = 0; i < 32; i++) {
            random.nextBytes(chunk);
            out.write(chunk);
          }
        });

    String first = server.get(LOGS + "bin.txt?view").body();
    java.util.regex.Matcher total =
        java.util.regex.Pattern.compile("lines 1&ndash;1,000 of ([0-9,]+)").matcher(first);
    assertThat(total.find()).as("the window's header").isTrue();
    long lines = Long.parseLong(total.group(1).replace(",", ""));
    HttpResponse<String> last = server.get(LOGS + "bin.txt?view&from=" + lines);

    assertThat(last.statusCode()).isEqualTo(200);
    String body = last.body();
    assertThat(body).contains("<div id=\"L" + lines + "\"").contains("of " + total.group(1));
    int start = body.indexOf("<pre class=\"log-lines\" id=\"lines\">");
    String shown = body.substring(start, body.indexOf("</pre>", start) + "</pre>".length());
    String tags = shown.replaceAll("<(/?)(div|span|a|pre|details|summary|b)( [^<>]*)?>", "");
    assertThat(tags).doesNotContain("<", ">");
    try (var files = Files.list(server.state.resolve("log-index"))) {
      assertThat(files.filter(f -> f.toString().endsWith(".log")).toList())
          .as("the inflated copy in the state folder")
          .singleElement()
          .satisfies(f -> assertThat(Files.size(f)).isEqualTo(32L << 20));
    }
  }

  @Test
  void tenMillionEmptyLinesOpenAtAnyWindow() throws IOException {
    byte[] newlines = new byte[1 << 20];
    java.util.Arrays.fill(newlines, (byte) '\n');
    job(
        "empty",
        0,
        1,
        out -> {
          for (int left = 10_000_000; left > 0; left -= newlines.length) {
            out.write(newlines, 0, Math.min(left, newlines.length));
          }
        });

    HttpResponse<String> first = server.get(LOGS + "empty.txt?view");
    HttpResponse<String> deep = server.get(LOGS + "empty.txt?view&from=9999999");

    assertThat(first.body())
        .contains("lines 1&ndash;1,000 of 10,000,000")
        .contains("<a href=\"?view&amp;from=1001\">next</a>")
        .contains("<a href=\"?view&amp;from=9999001\">last</a>")
        .contains("<div id=\"L1000\">")
        .doesNotContain("<div id=\"L1001\">");
    assertThat(deep.body())
        .contains("lines 9,999,001&ndash;10,000,000 of 10,000,000")
        .contains("<div id=\"L9999001\">", "<div id=\"L10000000\">")
        .doesNotContain("<div id=\"L9999000\">");
    assertThat(deep.body().length()).isLessThan(200 * 1024);
  }

  @Test
  void theFirstWindowComesWithTheEndAndTheFailureLinksIntoItsWindow() throws IOException {
    StringBuilder log = new StringBuilder();
    for (int i = 1; i <= 2500; i++) {
      log.append(i == 1500 ? "error: the build broke" : "line " + i).append('\n');
    }
    job("long", 1, 10, text(log.toString()));

    String page = server.get(LOGS + "long.txt?view").body();
    String middle = server.get(LOGS + "long.txt?view&from=1500").body();

    assertThat(page)
        .contains("lines 1&ndash;1,000 of 2,500")
        .contains(
            "<p class=\"why-head\">cargo error at <a href=\"?view&amp;from=1001#L1500\">line 1500</a>")
        .contains("<a class=\"n\" href=\"?view&amp;from=2001#L2500\" data-n=\"2500\"></a>")
        .contains("&hellip; the end of the log");
    assertThat(middle)
        .contains("lines 1,001&ndash;2,000 of 2,500")
        .contains("<div id=\"L1500\" class=\"err\">")
        .contains("<a href=\"?view\">first</a>");
  }

  @Test
  void refusesAFromThatIsNoLineOfTheLog() throws IOException {
    job("short", 0, 1, text("one\ntwo\n"));

    HttpResponse<String> word = server.get(LOGS + "short.txt?view&from=abc");
    HttpResponse<String> past = server.get(LOGS + "short.txt?view&from=3");

    assertThat(word.statusCode()).isEqualTo(400);
    assertThat(word.body())
        .isEqualTo("from 'abc' must be a line number: a whole number from 1, e.g. from=1001\n");
    assertThat(past.statusCode()).isEqualTo(400);
    assertThat(past.body()).isEqualTo("from '3' is past the end of the log, which has 2 lines\n");
  }

  @Test
  void longPassingSectionsFoldAndTheOneWithTheErrorStaysOpen() throws IOException {
    StringBuilder log = new StringBuilder("::group::install\n");
    for (int i = 0; i < 20; i++) {
      log.append("fetching ").append(i).append('\n');
    }
    log.append("::endgroup::\n##[group]test\nerror: boom\n");
    for (int i = 0; i < 20; i++) {
      log.append("trace ").append(i).append('\n');
    }
    log.append("##[endgroup]\n");
    job("ci", 1, 1, text(log.toString()));

    String page = server.get(LOGS + "ci.txt?view").body();

    assertThat(page)
        .contains("<details class=\"sec\"><summary><div id=\"L1\" class=\"sec-head\">")
        .contains("<details class=\"sec\" open><summary><div id=\"L23\" class=\"sec-head\">")
        .contains("<div id=\"L22\" class=\"sec-end\">");
  }

  @Test
  void onlyTaskLogsHaveAView() throws IOException {
    job("unit", 0, 1, text("ok\n"));

    HttpResponse<String> index = server.get("/github-jobs/7/build.wwz/_tmp/soil/INDEX.tsv?view");

    assertThat(index.headers().firstValue("Content-Type")).contains("text/plain; charset=utf-8");
    assertThat(index.body()).startsWith("0\t1.0\tunit");
  }
}
