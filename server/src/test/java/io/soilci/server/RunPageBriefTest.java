package io.soilci.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.soilci.server.logview.ErrorPatterns;
import io.soilci.server.testing.Multipart;
import io.soilci.server.testing.TestServer;
import io.soilci.server.testing.Zips;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Under each failed task the run page shows the first lines of what went wrong, linked into the log
 * view; found once when the job is stored, so {@code regen} writes the same page.
 */
class RunPageBriefTest {
  private static final String RUN_PAGE = "/github-jobs/77/index.html";
  private static final Pattern BRIEF_LINE =
      Pattern.compile(
          "<a class=\"n\" href=\"py\\.wwz/_tmp/soil/logs/unit\\.txt\\?view&amp;from=(\\d+)#L(\\d+)\""
              + " data-n=\"(\\d+)\"></a><a class=\"t\" href=\"[^\"]+\">([^<]*)</a>");

  @TempDir Path dir;

  private static String fixture(String name) throws IOException {
    try (InputStream in =
        RunPageBriefTest.class.getResourceAsStream("/io/soilci/server/logview/" + name)) {
      return new String(in.readAllBytes(), UTF_8);
    }
  }

  private static Multipart job(String unitLog, String buildLog) {
    Map<String, String> entries = new LinkedHashMap<>();
    entries.put("_tmp/soil/logs/build.txt", buildLog);
    entries.put("_tmp/soil/logs/unit.txt", unitLog);
    return new Multipart()
        .file("wwz", "py.wwz", Zips.of(entries))
        .file(
            "tsv",
            "py.tsv",
            "0\t1.5\tbuild\tci.sh\tbuild\t-\n1\t2.5\tunit\tci.sh\tunit\t-\n".getBytes(UTF_8))
        .file("json", "py.json", "{\"job-name\": \"py\"}".getBytes(UTF_8));
  }

  private static String upload(TestServer server, Multipart job) {
    HttpResponse<String> stored =
        server.post("/results?workerHost=github&runId=77&jobName=py", server.github, job);
    assertThat(stored.statusCode()).as(stored.body()).isEqualTo(200);
    HttpResponse<String> page = server.get(RUN_PAGE);
    assertThat(page.statusCode()).isEqualTo(200);
    return page.body();
  }

  @Test
  void aFailedTasksFirstErrorLinesShowUnderItLinkedToTheirLinesAndRegenWritesTheSamePage()
      throws IOException {
    String page;
    Path site;
    try (TestServer server = TestServer.start(dir)) {
      site = server.site;
      page = upload(server, job(fixture("pytest.txt"), "ok\n".repeat(50)));

      Matcher line = BRIEF_LINE.matcher(page);
      assertThat(line.find()).as(page).isTrue();
      String n = line.group(1);
      assertThat(line.group(2)).isEqualTo(n);
      assertThat(line.group(3)).isEqualTo(n);
      // The first error line of the pytest log: its failure header, no escapes left.
      assertThat(n).isEqualTo("11");
      assertThat(line.group(4)).contains("test_add").doesNotContain("\u001b").doesNotContain("[0m");
      assertThat(page).contains("<tr class=\"brief\" data-brief=\"unit\">");
      assertThat(page).doesNotContain("data-brief=\"build\"");
      assertThat(BRIEF_LINE.matcher(page).results().count()).isBetween(2L, 4L);
      // The link opens the log view on the window holding that line, with the line in it.
      String view =
          server.get("/github-jobs/77/py.wwz/_tmp/soil/logs/unit.txt?view&from=" + n).body();
      assertThat(view).contains("id=\"L" + n + "\"");
    }

    StringWriter err = new StringWriter();
    CommandLine cli = ServerCommand.commandLine();
    cli.setErr(new PrintWriter(err, true));
    Files.delete(site.resolve("github-jobs/77/index.html"));
    assertThat(cli.execute("regen", "--site", site.toString())).as(err.toString()).isZero();

    assertThat(Files.readString(site.resolve("github-jobs/77/index.html"))).isEqualTo(page);
  }

  @Test
  void aLogWithoutAnErrorLineShowsItsLastLines() throws IOException {
    try (TestServer server = TestServer.start(dir)) {
      String log = "step one\nstep two\nstep three\nstep four\nstep five\n";

      String page = upload(server, job(log, "ok\n"));

      List<String> shown = BRIEF_LINE.matcher(page).results().map(m -> m.group(4)).toList();
      assertThat(shown).containsExactly("step two", "step three", "step four", "step five");
    }
  }

  @Test
  void configuredPatternsFindTheProjectsOwnErrorLines() throws IOException {
    ErrorPatterns mine =
        ErrorPatterns.of("test pattern", List.of("^OOPS ")).and(ErrorPatterns.DEFAULTS);
    try (TestServer server = TestServer.start(dir, c -> c.withErrorPatterns(mine))) {
      String log = "a\nb\nOOPS the widget broke\nc\n" + "tail line\n".repeat(10);

      String page = upload(server, job(log, "ok\n"));

      List<String> shown = BRIEF_LINE.matcher(page).results().map(m -> m.group(4)).toList();
      assertThat(shown.get(0)).isEqualTo("OOPS the widget broke");
    }
  }

  @Test
  void aLineIsCutAndEscapesAndControlCharactersNeverReachThePage() throws IOException {
    try (TestServer server = TestServer.start(dir)) {
      String log =
          "error: \u001b[31m<script>alert(1)</script>\u001b[0m\u0007 " + "x".repeat(1000) + "\n";

      String page = upload(server, job(log, "ok\n"));

      List<String> shown = BRIEF_LINE.matcher(page).results().map(m -> m.group(4)).toList();
      assertThat(shown).hasSize(1);
      assertThat(shown.get(0))
          .startsWith("error: &lt;script&gt;alert(1)&lt;/script&gt;\u2407 xxx")
          .endsWith("x\u2026")
          .hasSizeLessThan(300);
      assertThat(page).doesNotContain("<script>alert");
    }
  }
}
