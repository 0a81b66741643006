package io.soilci.server.site;

import static io.soilci.server.site.SiteTrees.meta;
import static io.soilci.server.site.SiteTrees.ref;
import static io.soilci.server.site.SiteTrees.row;
import static org.assertj.core.api.Assertions.assertThat;

import io.soilci.result.JobMeta;
import io.soilci.result.JobRef;
import io.soilci.result.TaskName;
import io.soilci.server.testing.Chromium;
import io.soilci.server.testing.TestServer;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pages in real headless Chromium, driven over the DevTools protocol, against a real
 * soil-server on 127.0.0.1 whose site holds passing, failing, running and PR runs with hostile
 * text: no console errors, payloads shown as text, live updates and the live log tail without a
 * reload, and screenshots at desktop and phone width in {@code target/screenshots/}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LiveBrowserIT {
  static final String SCRIPT = "<script>window.pwned=1</script>";
  static final String IMG = "\"><img src=x onerror=\"window.pwned=2\">";
  static final String SUBJECT = "Fix " + SCRIPT + " and " + IMG + " in the lexer";
  static final String LOG_LINE = "<img src=x onerror=window.pwned=3> & <b>bold</b>";
  static final Path SHOTS = Path.of("target/screenshots");
  static final String RUNNING_SUBJECT = "Still <b>running</b>";

  @TempDir static Path dir;
  static TestServer server;
  static Chromium chromium;
  static String pastCommit = "";

  @BeforeAll
  static void startServerAndBrowser() throws Exception {
    Path site = Files.createDirectories(dir.resolve("site"));
    try (Site writer =
        Site.open(new SiteSettings(site, 200, Optional.of("https://github.com/example/proj")))) {
      long start = Instant.parse("2026-11-20T08:00:00Z").getEpochSecond();
      for (int run = 6000; run < 6006; run++) {
        // 6001 failed its unit task and 6002 passed on the same commit: unit is flaky there.
        String commit = SiteBrowserIT.sha1("c" + (run == 6002 ? 6001 : run));
        pastCommit = SiteBrowserIT.sha1("c6001");
        for (String job : List.of("cpp", "dev-minimal")) {
          int fail = run == 6001 && job.equals("cpp") ? 1 : 0;
          SiteTrees.store(
              writer,
              site,
              ref(Integer.toString(run), job),
              meta(job, Integer.toString(run), commit, SUBJECT, start + (run - 6000) * 1800L),
              List.of(row("build", 0, 60 + run % 7 * 10), row("unit", fail, 200 + run % 5 * 30)));
        }
      }
      Map<String, @Nullable String> pr =
          new LinkedHashMap<>(
              meta("cpp", "6006", SiteBrowserIT.sha1("pr"), SUBJECT, start + 6 * 1800).values());
      pr.put(JobMeta.GITHUB_PR_NUMBER, "77");
      pr.put(JobMeta.GITHUB_PR_HEAD_REF, "feature/" + SCRIPT);
      pr.put(JobMeta.GITHUB_PR_HEAD_SHA, SiteBrowserIT.sha1("pr"));
      SiteTrees.store(
          writer, site, ref("6006", "cpp"), new JobMeta(pr), List.of(row("build", 0, 61)));
      JobRef running = ref("6007", "cpp");
      writer.jobStarted(
          running,
          Instant.now().minusSeconds(100),
          Map.of(
              JobMeta.COMMIT_HASH,
              SiteBrowserIT.sha1("running"),
              JobMeta.COMMIT_LINE,
              RUNNING_SUBJECT,
              JobMeta.GITHUB_REF,
              "refs/heads/live-branch"));
      writer.taskFinished(running, row("build", 0, 40));
      writer.taskStarted(running, new TaskName("unit"), Instant.now().minusSeconds(60));
    }
    server = TestServer.start(dir);
    Files.createDirectories(SHOTS);
    chromium = Chromium.start(Files.createDirectories(dir.resolve("chromium")));
    // No polling: live updates must come over the server's event stream.
    chromium.call(
        "Page.addScriptToEvaluateOnNewDocument", Map.of("source", "window.soilPollMs = 6e5;"));
  }

  @AfterAll
  static void stop() throws Exception {
    if (chromium != null) {
      chromium.close();
    }
    if (server != null) {
      server.close();
    }
  }

  @Test
  @Order(1)
  void everyPageLoadsWithoutConsoleErrorsAndShowsHostileTextAsText() throws Exception {
    for (String page :
        List.of(
            "index.html",
            "github-jobs/index.html",
            "github-jobs/raw.html",
            "github-jobs/6001/index.html",
            "github-jobs/6002/index.html",
            "github-jobs/6006/index.html",
            "github-jobs/6007/index.html",
            "github-jobs/commits/" + pastCommit + ".html")) {
      chromium.open(server.uri("/" + page).toString());
      Thread.sleep(700);

      assertThat(chromium.takeErrors()).as(page).isEmpty();
      assertThat(chromium.eval("typeof window.pwned").asText()).as(page).isEqualTo("undefined");
      assertThat(chromium.eval("document.querySelectorAll('main img, main script').length").asInt())
          .as(page)
          .isZero();
      String name = page.replace('/', '_').replace(".html", "");
      chromium.screenshot(SHOTS.resolve("live-" + name + "-desktop.png"), 1280, false);
      chromium.screenshot(SHOTS.resolve("live-" + name + "-phone.png"), 390, true);
    }
    HttpResponse<String> badge = server.get("/github-jobs/badges/branch/soil-staging.svg");
    assertThat(badge.headers().firstValue("Content-Type")).contains("image/svg+xml");
    assertThat(badge.body()).contains("<title>soil-staging: passing</title>");
    chromium.open(server.uri("/github-jobs/6006/index.html").toString());
    assertThat(chromium.eval("document.querySelector('main').textContent").asText())
        .contains(SUBJECT)
        .contains("feature/" + SCRIPT);
  }

  @Test
  @Order(2)
  void aTaskThatFailedThenPassedOnTheSameCommitIsMarkedFlakyWithDotsAndASparkline()
      throws Exception {
    chromium.open(server.uri("/github-jobs/6002/index.html").toString());

    assertThat(chromium.await("document.querySelector('tr[data-task=unit] .tag.flaky')", SECOND_10))
        .isTrue();
    assertThat(
            chromium
                .eval(
                    "document.querySelectorAll('table.tasks[data-job=cpp] svg.spark polyline').length")
                .asInt())
        .isEqualTo(2);
    assertThat(
            chromium
                .eval("document.querySelectorAll('tr[data-task=build] .tag.flaky').length")
                .asInt())
        .isZero();
    chromium.screenshot(SHOTS.resolve("live-history-desktop.png"), 1280, false);
  }

  static final Duration SECOND_10 = Duration.ofSeconds(10);

  @Test
  @Order(3)
  void aRunningRunPageFollowsEventsAndTheLiveLogWithoutReloading() throws Exception {
    chromium.open(server.uri("/github-jobs/6007/index.html").toString());
    chromium.eval("window.soilMarker = 'same page'");
    assertThat(
            chromium.eval("document.querySelector('[data-since] .ticking').textContent").asText())
        .matches(" · 1:[0-9]{2}");
    // The start event's commit is shown, and the run's wall time ticks from its first start.
    assertThat(chromium.eval("document.querySelector('main').textContent").asText())
        .contains(RUNNING_SUBJECT)
        .contains("live-branch");
    String wall = chromium.eval("document.querySelector('.wall').textContent").asText();
    assertThat(wall).matches("[0-9]+:[0-9]{2}");
    assertThat(clockSeconds(wall)).as(wall).isGreaterThanOrEqualTo(100);
    Thread.sleep(2100);
    String later = chromium.eval("document.querySelector('.wall').textContent").asText();
    assertThat(clockSeconds(later)).as(later).isGreaterThan(clockSeconds(wall));

    post(
        "/log?workerHost=github&runId=6007&jobName=cpp&task=unit",
        "first line\n" + LOG_LINE + "\n");
    assertThat(
            chromium.await(
                "document.querySelector('pre.log') && document.querySelector('pre.log').textContent.includes('bold</b>')",
                SECOND_10))
        .isTrue();
    assertThat(chromium.eval("document.querySelector('pre.log').textContent").asText())
        .isEqualTo("first line\n" + LOG_LINE + "\n");
    assertThat(chromium.eval("document.querySelectorAll('pre.log *').length").asInt()).isZero();
    post("/log?workerHost=github&runId=6007&jobName=cpp&task=unit", "second line\n");
    assertThat(
            chromium.await(
                "document.querySelector('pre.log').textContent.endsWith('second line\\n')",
                SECOND_10))
        .isTrue();
    chromium.screenshot(SHOTS.resolve("live-running-log-desktop.png"), 1280, false);
    chromium.screenshot(SHOTS.resolve("live-running-log-phone.png"), 390, true);

    post(
        "/event?eventName=task-done&workerHost=github&runId=6007&jobName=cpp&task=unit&status=1&elapsed=61.5",
        "");
    post("/event?eventName=task-start&workerHost=github&runId=6007&jobName=cpp&task=spec", "");

    assertThat(chromium.await("document.querySelector('tr.running[data-task=spec]')", SECOND_10))
        .isTrue();
    assertThat(
            chromium.eval("document.querySelector('tr.fail[data-task=unit]') !== null").asBoolean())
        .isTrue();
    assertThat(chromium.eval("window.soilMarker").asText()).isEqualTo("same page");
    assertThat(chromium.eval("typeof window.pwned").asText()).isEqualTo("undefined");
    assertThat(chromium.takeErrors()).isEmpty();
  }

  @Test
  @Order(4)
  void theHostIndexTurnsGreenWhenTheRunningJobIsDoneWithoutReloading() throws Exception {
    chromium.open(server.uri("/github-jobs/index.html").toString());
    chromium.eval("window.soilMarker = 'index'");
    assertThat(chromium.eval("document.querySelectorAll('li.chip.running').length").asInt())
        .isEqualTo(1);

    post("/event?eventName=done&workerHost=github&runId=6007&jobName=cpp&status=1", "");

    assertThat(
            chromium.await("document.querySelectorAll('li.chip.running').length === 0", SECOND_10))
        .isTrue();
    assertThat(chromium.eval("window.soilMarker").asText()).isEqualTo("index");
    assertThat(chromium.takeErrors()).isEmpty();
  }

  @Test
  @Order(5)
  void theLiveLogIsPlainTextThatIsNeverSniffed() throws Exception {
    post("/log?workerHost=github&runId=6008&jobName=cpp&task=unit", LOG_LINE);

    HttpResponse<String> tail = server.get("/live/github-jobs/6008/cpp/unit.txt?offset=5");

    assertThat(tail.statusCode()).isEqualTo(200);
    assertThat(tail.body()).isEqualTo(LOG_LINE.substring(5));
    assertThat(tail.headers().firstValue("Content-Type")).contains("text/plain; charset=utf-8");
    assertThat(tail.headers().firstValue("X-Content-Type-Options")).contains("nosniff");
    assertThat(tail.headers().firstValue("X-Soil-Log-End"))
        .contains(Integer.toString(LOG_LINE.length()));
  }

  @Test
  @Order(6)
  void withoutEventSourceThePagePollsAndStillFollowsTheLiveLog() throws Exception {
    post("/event?eventName=start&workerHost=github&runId=6009&jobName=cpp", "");
    post("/event?eventName=task-start&workerHost=github&runId=6009&jobName=cpp&task=unit", "");
    String noStream =
        chromium
            .call(
                "Page.addScriptToEvaluateOnNewDocument",
                Map.of("source", "window.EventSource = undefined; window.soilPollMs = 300;"))
            .path("identifier")
            .asText();
    try {
      chromium.open(server.uri("/github-jobs/6009/index.html").toString());
      post("/log?workerHost=github&runId=6009&jobName=cpp&task=unit", "polled line\n");

      assertThat(
              chromium.await(
                  "document.querySelector('pre.log') && document.querySelector('pre.log').textContent === 'polled line\\n'",
                  SECOND_10))
          .isTrue();
      post("/event?eventName=done&workerHost=github&runId=6009&jobName=cpp&status=0", "");
      assertThat(chromium.await("!document.querySelector('tr.running')", SECOND_10)).isTrue();
      assertThat(chromium.takeErrors()).isEmpty();
    } finally {
      chromium.call("Page.removeScriptToEvaluateOnNewDocument", Map.of("identifier", noStream));
    }
  }

  /** {@code "1:42"} as 102. */
  private static int clockSeconds(String clock) {
    String[] parts = clock.split(":", -1);
    return Integer.parseInt(parts[0]) * 60 + Integer.parseInt(parts[1]);
  }

  static void post(String pathAndQuery, String body) {
    HttpResponse<String> answer =
        server.send(
            HttpRequest.newBuilder(server.uri(pathAndQuery))
                .header("Authorization", server.github)
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build());
    assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
  }
}
