package io.soilci.server.logview;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.soilci.server.testing.Chromium;
import io.soilci.server.testing.TestServer;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The log view in real headless Chromium: colours rendered, a line range highlighted and scrolled
 * to, a line deep in a 200 MiB log opened straight from its anchor within a few seconds, no console
 * errors; screenshots in {@code target/screenshots/}.
 */
class LogViewBrowserIT {
  private static final String LOGS = "/github-jobs/7/build.wwz/_tmp/soil/logs/";
  private static final Path SHOTS = Path.of("target/screenshots");
  private static final int BIG_LINES = 2_100_000;
  private static final long BIG_BYTES = 200L << 20;

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
      zip.write("1\t12.5\tunit\tci.sh\tunit\t-\n1\t80.0\tbig\tci.sh\tbig\t-\n".getBytes(UTF_8));
      zip.putNextEntry(new ZipEntry("_tmp/soil/logs/unit.txt"));
      StringBuilder unit = new StringBuilder();
      for (int i = 1; i <= 300; i++) {
        unit.append(
            i % 10 == 0
                ? "\u001b[31mFAILED\u001b[0m test_" + i + " - \u001b[1massert 1 == 2\u001b[0m\n"
                : "\u001b[32m[ OK ]\u001b[0m test_"
                    + i
                    + " \u001b[38;5;208m"
                    + i
                    + " ms\u001b[0m\n");
      }
      zip.write(unit.toString().getBytes(UTF_8));
      zip.putNextEntry(new ZipEntry("_tmp/soil/logs/big.txt"));
      assertThat(writeBigLog(zip)).as("the big log's size").isGreaterThanOrEqualTo(BIG_BYTES);
    }
    Files.writeString(run.resolve("build.json"), "{\"job-name\": \"build\"}");
    Files.createDirectories(SHOTS);
    chromium = Chromium.start(Files.createDirectories(dir.resolve("chromium")));
  }

  /** 2,100,000 lines of ~100 bytes (some coloured, an error at line 1234); returns its size. */
  private static long writeBigLog(OutputStream out) throws java.io.IOException {
    byte[] chunk = new byte[1 << 20];
    int used = 0;
    long size = 0;
    StringBuilder line = new StringBuilder();
    for (int i = 1; i <= BIG_LINES; i++) {
      line.setLength(0);
      if (i == 1234) {
        line.append("error: the big build broke at step ").append(i);
      } else {
        line.append(i % 100 == 0 ? "\u001b[32mok\u001b[0m " : "")
            .append("line ")
            .append(i)
            .append(" of the big log: test_")
            .append(i * 7919L % 100_003)
            .append(" took ")
            .append(i % 997)
            .append(" ms, checking what needs checking, then checking it once more");
      }
      byte[] bytes = line.append('\n').toString().getBytes(UTF_8);
      if (used + bytes.length > chunk.length) {
        out.write(chunk, 0, used);
        used = 0;
      }
      System.arraycopy(bytes, 0, chunk, used, bytes.length);
      used += bytes.length;
      size += bytes.length;
    }
    out.write(chunk, 0, used);
    return size;
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
  void showsColoursAndHighlightsAndScrollsToALineRange() throws Exception {
    chromium.takeErrors();
    chromium.open(server.uri(LOGS + "unit.txt?view#L120-L140").toString());

    assertThat(
            chromium.await(
                "document.querySelectorAll('#lines div.hl').length === 21", Duration.ofSeconds(5)))
        .as("lines 120-140 highlighted")
        .isTrue();
    assertThat(chromium.eval("document.querySelector('#lines div.hl').id").asText())
        .isEqualTo("L120");
    assertThat(
            chromium
                .eval(
                    "(function(){var r=document.getElementById('L120').getBoundingClientRect();"
                        + "return r.top >= 0 && r.top < innerHeight;})()")
                .asBoolean())
        .as("line 120 on screen")
        .isTrue();
    // Colours: the OK marks green, FAILED red, the 256-colour number orange, no escape left.
    String colours =
        chromium
            .eval(
                "(function(){var s=[].slice.call(document.querySelectorAll('#L120 span, #L121"
                    + " span')).map(function(e){return getComputedStyle(e).color;});"
                    + "return s.join(' ');})()")
            .asText();
    assertThat(colours).contains("rgb(207, 34, 46)").contains("rgb(17, 99, 41)");
    assertThat(chromium.eval("document.getElementById('lines').textContent").asText())
        .doesNotContain("\u001b")
        .doesNotContain("[0m");
    chromium.screenshot(SHOTS.resolve("log-view-range.png"), 1280, false);
    chromium.call("Page.navigate", java.util.Map.of("url", "about:blank"));
    assertThat(chromium.takeErrors()).isEmpty();
  }

  @Test
  void opensALineDeepInATwoHundredMegabyteLogFromItsAnchorWithinAFewSeconds() throws Exception {
    chromium.takeErrors();
    long start = System.nanoTime();
    chromium.open(server.uri(LOGS + "big.txt?view#L1900000").toString());
    boolean shown =
        chromium.await(
            "(function(){var e=document.getElementById('L1900000'); if(!e) return false;"
                + " var r=e.getBoundingClientRect(); return r.top >= 0 && r.top < innerHeight;})()",
            Duration.ofSeconds(30));
    long shownMillis = (System.nanoTime() - start) / 1_000_000;
    long loadMillis =
        chromium
            .eval("Math.round(performance.getEntriesByType('navigation')[0].loadEventEnd)")
            .asLong();
    long sent =
        chromium
            .eval(
                "performance.getEntriesByType('navigation').concat("
                    + "performance.getEntriesByType('resource'))"
                    + ".reduce(function(s,e){return s+e.transferSize;},0)")
            .asLong();
    System.out.printf(
        "200 MiB log (first view) at #L1900000: load event %d ms, line on screen %d ms,"
            + " %,d bytes transferred%n",
        loadMillis, shownMillis, sent);

    assertThat(shown).as("line 1900000 on screen").isTrue();
    assertThat(chromium.eval("document.getElementById('L1900000').textContent").asText())
        .contains("line 1900000 of the big log");
    assertThat(chromium.eval("document.getElementById('L1900000').classList.contains('hl')"))
        .hasToString("true");
    assertThat(chromium.eval("document.querySelector('.why-head a').textContent").asText())
        .as("the failure excerpt")
        .isEqualTo("line 1234");
    // Not yet reliably the few seconds (5 s) issue 12 asks for on the shared 2-core machine: load
    // events of 5.1, 7.0 and 3.8 s measured at load 17-20 (2026-12-01), the line on screen about
    // 0.5 s later; the earlier bounds are kept until the first view meets 5 s here.
    assertThat(loadMillis).as("load event (ms) of the first view").isLessThan(20_000);
    assertThat(shownMillis).as("line on screen (ms)").isLessThan(25_000);
    assertThat(sent).as("bytes sent for the view").isLessThan(1 << 20);
    chromium.screenshot(SHOTS.resolve("log-view-deep-line.png"), 1280, false);
    chromium.call("Page.navigate", java.util.Map.of("url", "about:blank"));
    assertThat(chromium.takeErrors()).isEmpty();
  }
}
