package io.soilci.server.logview;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.soilci.server.testing.Chromium;
import io.soilci.server.testing.TestServer;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The log view's follow mode (a running task's lines appear as the worker sends them) and search
 * (over the whole of a log shown in windows) in real headless Chromium against a real server; no
 * console errors; screenshots in {@code target/screenshots/}.
 */
class LogFollowAndSearchBrowserIT {
  private static final String JOB = "workerHost=github&runId=9&jobName=cpp";
  private static final String LIVE_VIEW = "/live/github-jobs/9/cpp/unit.txt?view";
  private static final String BIG = "/github-jobs/7/build.wwz/_tmp/soil/logs/big.txt?view";
  private static final Path SHOTS = Path.of("target/screenshots");
  private static final Duration WAIT = Duration.ofSeconds(10);

  @TempDir static Path dir;
  static TestServer server;
  static Chromium chromium;

  @BeforeAll
  static void start() throws Exception {
    server = TestServer.start(dir);
    Path run = Files.createDirectories(server.site.resolve("github-jobs/7"));
    try (ZipOutputStream zip =
        new ZipOutputStream(Files.newOutputStream(run.resolve("build.wwz")))) {
      zip.putNextEntry(new ZipEntry("_tmp/soil/INDEX.tsv"));
      zip.write("0\t80.0\tbig\tci.sh\tbig\t-\n".getBytes(UTF_8));
      zip.putNextEntry(new ZipEntry("_tmp/soil/logs/big.txt"));
      StringBuilder big = new StringBuilder();
      for (int i = 1; i <= 5000; i++) {
        String text =
            switch (i) {
              case 10, 1500 -> "found the \u001b[1mneedle\u001b[0m here";
              case 3000 -> "a NEEDLE in capitals";
              case 4200 -> "needle needle twice";
              default -> "hay " + i;
            };
        big.append(text).append('\n');
      }
      zip.write(big.toString().getBytes(UTF_8));
    }
    Files.writeString(run.resolve("build.json"), "{\"job-name\": \"build\"}");
    Files.createDirectories(SHOTS);
    chromium = Chromium.start(Files.createDirectories(dir.resolve("chromium")));
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

  private static void post(String pathAndQuery, String body) {
    HttpResponse<String> answer =
        server.send(
            HttpRequest.newBuilder(server.uri(pathAndQuery))
                .header("Authorization", server.github)
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build());
    assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
  }

  private static String lines(int from, int to, String prefix) {
    StringBuilder text = new StringBuilder();
    for (int i = from; i <= to; i++) {
      text.append(prefix).append(i).append('\n');
    }
    return text.toString();
  }

  private static boolean js(String condition) throws InterruptedException {
    return chromium.await(condition, WAIT);
  }

  @Test
  void followModeAppendsNewLinesAtTheEndAndStopsFollowingWhenScrolledUp() throws Exception {
    post("/event?eventName=start&" + JOB, "");
    post("/event?eventName=task-start&" + JOB + "&task=unit", "");
    post("/log?" + JOB + "&task=unit", lines(1, 120, "step "));
    chromium.takeErrors();
    chromium.call("Emulation.setDeviceMetricsOverride", viewport());
    chromium.open(server.uri(LIVE_VIEW).toString());

    assertThat(js("document.querySelector('#follow.on')")).as("following").isTrue();
    assertThat(js("innerHeight + scrollY >= document.documentElement.scrollHeight - 40"))
        .as("opened at the end")
        .isTrue();
    post(
        "/log?" + JOB + "&task=unit",
        "\u001b[31mred line 121\u001b[0m <b>not bold</b>\n" + lines(122, 125, "step "));

    assertThat(js("document.getElementById('L125')")).as("new lines shown").isTrue();
    assertThat(
            chromium
                .eval("getComputedStyle(document.querySelector('#L121 .t span')).color")
                .asText())
        .isEqualTo("rgb(207, 34, 46)");
    assertThat(chromium.eval("document.querySelector('#L121 .t').textContent").asText())
        .isEqualTo("red line 121 <b>not bold</b>");
    assertThat(chromium.eval("document.querySelector('#L125 a.n').getAttribute('href')").asText())
        .isEqualTo("#L125");
    assertThat(chromium.eval("document.getElementById('total').textContent").asText())
        .isEqualTo("125");
    assertThat(js("innerHeight + scrollY >= document.documentElement.scrollHeight - 40"))
        .as("still at the end: it follows")
        .isTrue();
    chromium.viewportShot(SHOTS.resolve("log-follow-running.png"), 1280, 700);

    chromium.eval("window.scrollTo(0, 0)");
    assertThat(js("document.getElementById('follow').textContent.startsWith('paused')")).isTrue();
    post("/log?" + JOB + "&task=unit", lines(126, 130, "step "));
    assertThat(js("document.getElementById('L130')")).isTrue();
    assertThat(chromium.eval("scrollY").asInt()).as("not pulled down once scrolled up").isZero();
    chromium.viewportShot(SHOTS.resolve("log-follow-paused.png"), 1280, 700);

    chromium.eval("document.querySelector('#follow button').click()");
    assertThat(js("document.getElementById('follow').textContent.includes('following')")).isTrue();
    assertThat(js("innerHeight + scrollY >= document.documentElement.scrollHeight - 40")).isTrue();

    post("/event?eventName=task-done&" + JOB + "&task=unit&status=1&elapsed=3", "");
    assertThat(js("document.getElementById('follow').textContent === 'task ended (status 1)'"))
        .isTrue();
    assertThat(chromium.eval("document.querySelector('h1 .status').textContent").asText())
        .isEqualTo("1");
    chromium.viewportShot(SHOTS.resolve("log-follow-ended.png"), 1280, 700);
    chromium.call("Emulation.clearDeviceMetricsOverride", Map.of());
    chromium.call("Page.navigate", Map.of("url", "about:blank"));
    assertThat(chromium.takeErrors()).isEmpty();
  }

  @Test
  void searchFindsEveryMatchOfTheWholeLogAndStepsThroughItsWindows() throws Exception {
    chromium.takeErrors();
    chromium.call("Emulation.setDeviceMetricsOverride", viewport());
    chromium.open(server.uri(BIG).toString());
    assertThat(js("document.querySelector('form.logsearch input')")).isTrue();

    type("needle");
    enter(false);

    assertThat(js("document.querySelector('form.logsearch .count').textContent === '1 of 4'"))
        .isTrue();
    assertThat(chromium.eval("document.querySelector('#lines div.hit-now').id").asText())
        .isEqualTo("L10");
    assertThat(chromium.eval("document.querySelector('#L10 mark.m').textContent").asText())
        .isEqualTo("needle");
    chromium.viewportShot(SHOTS.resolve("log-search-first.png"), 1280, 700);

    enter(false);
    assertThat(
            js(
                "document.querySelector('#lines div.hit-now') && document.querySelector('#lines div.hit-now').id === 'L1500'"))
        .as("the second match, in the second window")
        .isTrue();
    assertThat(chromium.eval("location.search").asText()).isEqualTo("?view&from=1001");
    assertThat(
            chromium.eval("document.querySelector('form.logsearch .count').textContent").asText())
        .isEqualTo("2 of 4");
    enter(false);
    enter(false);
    assertThat(
            js(
                "document.querySelector('#lines div.hit-now') && document.querySelector('#lines div.hit-now').id === 'L4200'"))
        .isTrue();
    assertThat(chromium.eval("document.querySelectorAll('#L4200 mark.m').length").asInt())
        .isEqualTo(2);
    chromium.viewportShot(SHOTS.resolve("log-search-stepped.png"), 1280, 700);

    enter(true);
    assertThat(
            js(
                "document.querySelector('#lines div.hit-now') && document.querySelector('#lines div.hit-now').id === 'L3000'"))
        .as("Shift+Enter: back one")
        .isTrue();

    chromium.eval("document.querySelector('form.logsearch input[name=case]').click()");
    assertThat(js("document.querySelector('form.logsearch .count').textContent.endsWith('of 3')"))
        .as("match case: NEEDLE no longer matches")
        .isTrue();

    type("no such text");
    enter(false);
    assertThat(js("document.querySelector('form.logsearch .count').textContent === 'no match'"))
        .isTrue();
    chromium.call("Emulation.clearDeviceMetricsOverride", Map.of());
    chromium.call("Page.navigate", Map.of("url", "about:blank"));
    assertThat(chromium.takeErrors()).isEmpty();
  }

  private static Map<String, Object> viewport() {
    return Map.of("width", 1280, "height", 700, "deviceScaleFactor", 1, "mobile", false);
  }

  private static void type(String text) {
    chromium.eval(
        "(function(){var i=document.querySelector('form.logsearch input'); i.focus(); i.value="
            + "'"
            + text
            + "';})()");
  }

  private static void enter(boolean shift) throws InterruptedException {
    Map<String, Object> key =
        Map.of(
            "type",
            "keyDown",
            "key",
            "Enter",
            "code",
            "Enter",
            "windowsVirtualKeyCode",
            13,
            "modifiers",
            shift ? 8 : 0);
    chromium.call("Input.dispatchKeyEvent", key);
    chromium.call(
        "Input.dispatchKeyEvent",
        Map.of("type", "keyUp", "key", "Enter", "code", "Enter", "windowsVirtualKeyCode", 13));
    Thread.sleep(150);
  }
}
