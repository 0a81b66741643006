package io.soilci.server.site;

import static io.soilci.server.site.SiteTrees.meta;
import static io.soilci.server.site.SiteTrees.ref;
import static io.soilci.server.site.SiteTrees.row;
import static org.assertj.core.api.Assertions.assertThat;

import io.soilci.result.JobMeta;
import io.soilci.result.JobRef;
import io.soilci.result.TaskName;
import io.soilci.result.TaskRow;
import io.undertow.Undertow;
import io.undertow.server.handlers.resource.PathResourceManager;
import io.undertow.server.handlers.resource.ResourceHandler;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Loads generated pages, served over HTTP on 127.0.0.1, in real headless Chromium: the script runs
 * (it marks sortable tables, adds each task's history from the JSON pages), and desktop and phone
 * screenshots land in {@code target/screenshots/}.
 */
class SiteBrowserIT {
  static final Path SHOTS = Path.of("target/screenshots");
  static final String CHROMIUM = "/usr/bin/chromium";

  @TempDir static Path root;
  static Undertow server;

  @BeforeAll
  static void buildSite() throws Exception {
    SiteTrees.copyFixtures(root);
    try (Site site =
        Site.open(
            new SiteSettings(root, 200, Optional.of("https://github.com/oils-for-unix/oils")))) {
      long start = Instant.parse("2026-11-20T08:00:00Z").getEpochSecond();
      String[] jobs = {
        "cpp-small", "cpp-spec", "dev-minimal", "dummy", "ovm-tarball", "pea", "wild"
      };
      for (int run = 5000; run < 5012; run++) {
        for (String job : jobs) {
          int fail =
              (run % 3 == 0 && job.startsWith("cpp")) || (run == 5007 && job.equals("wild"))
                  ? 1
                  : 0;
          SiteTrees.store(
              site,
              root,
              ref(Integer.toString(run), job),
              meta(
                  job,
                  Integer.toString(run),
                  sha1("commit " + run),
                  "Fix the <b>parser</b> for case " + run,
                  start + (run - 5000) * 1800L),
              tasks(fail, run));
        }
      }
      JobRef live = ref("5012", "cpp-spec");
      site.jobStarted(live, Instant.ofEpochSecond(start + 12 * 1800));
      site.taskFinished(live, row("build", 0, 95));
      site.taskStarted(
          live, new TaskName("spec-osh"), Instant.ofEpochSecond(start + 12 * 1800 + 95));
      site.jobStarted(ref("5012", "dev-minimal"), Instant.ofEpochSecond(start + 12 * 1800));
      Map<String, @Nullable String> pr =
          new LinkedHashMap<>(
              meta(
                      "pea",
                      "5012",
                      sha1("pr"),
                      "Add a very long commit subject that goes on and on to see how wrapping works at phone width",
                      start + 12 * 1800)
                  .values());
      pr.put(JobMeta.GITHUB_PR_NUMBER, "2345");
      pr.put(JobMeta.GITHUB_PR_HEAD_REF, "feature/faster-lexer");
      pr.put(JobMeta.GITHUB_PR_HEAD_SHA, sha1("pr"));
      SiteTrees.store(site, root, ref("5012", "pea"), new JobMeta(pr), tasks(0, 1));
    }
    Files.createDirectories(SHOTS);
    server =
        Undertow.builder()
            .addHttpListener(0, "127.0.0.1")
            .setHandler(new ResourceHandler(new PathResourceManager(root)))
            .build();
    server.start();
  }

  @AfterAll
  static void stopServer() {
    server.stop();
  }

  static String sha1(String text) throws Exception {
    byte[] digest =
        java.security.MessageDigest.getInstance("SHA-1")
            .digest(text.getBytes(StandardCharsets.UTF_8));
    return java.util.HexFormat.of().formatHex(digest);
  }

  static List<TaskRow> tasks(int failUnit, int seed) {
    List<TaskRow> rows = new ArrayList<>();
    rows.add(row("os-info", 0, 1.02));
    rows.add(row("build", 0, 60 + seed % 50));
    rows.add(row("unit", failUnit, 300 + seed % 20));
    rows.add(row("spec", failUnit == 1 && seed % 2 == 0 ? 2 : 0, 421.5));
    return rows;
  }

  @Test
  void pagesLoadWithTheirScriptAndLookRightOnDesktopAndPhone() throws Exception {
    for (String page :
        List.of(
            "index.html",
            "github-jobs/index.html",
            "github-jobs/5010/index.html",
            "github-jobs/5012/index.html",
            "github-jobs/raw.html",
            "sourcehut-jobs/index.html")) {
      String name = page.replace('/', '_').replace(".html", "");
      shoot(page, SHOTS.resolve(name + "-desktop.png"), "1280,900");
      shoot(page, SHOTS.resolve(name + "-phone.png"), "390,844");
      assertThat(SHOTS.resolve(name + "-phone.png")).isNotEmptyFile();
    }
    String dom = dumpDom("github-jobs/raw.html");
    assertThat(dom).contains("class=\"sortable jobs js\"");
  }

  @Test
  void theRunPageShowsEachTasksStatusInThePreviousRuns() throws Exception {
    String dom = dumpDom("github-jobs/5010/index.html");

    assertThat(dom).contains("<th>previous runs</th>");
    assertThat(dom)
        .contains(
            "<a class=\"dot fail\" href=\"../5007/index.html#job-cpp-small\" title=\"run 5007: status 1\"></a>")
        .contains(
            "<a class=\"dot pass\" href=\"../5008/index.html#job-cpp-small\" title=\"run 5008: status 0\"></a>");
  }

  static void shoot(String page, Path png, String size) throws Exception {
    run(
        List.of(
            "--screenshot=" + png.toAbsolutePath(),
            "--window-size=" + size,
            "--hide-scrollbars",
            url(page)));
  }

  static String dumpDom(String page) throws Exception {
    return run(List.of("--dump-dom", "--virtual-time-budget=2000", url(page)));
  }

  static String url(String page) {
    InetSocketAddress address = (InetSocketAddress) server.getListenerInfo().get(0).getAddress();
    return "http://127.0.0.1:" + address.getPort() + "/" + page;
  }

  static String run(List<String> args) throws IOException, InterruptedException {
    Path profile = Files.createTempDirectory("chromium-profile");
    List<String> command =
        new ArrayList<>(
            List.of(
                CHROMIUM,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
                "--user-data-dir=" + profile));
    command.addAll(args);
    Process process =
        new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    byte[] out = process.getInputStream().readAllBytes();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IOException("chromium did not finish in 60 s: " + args);
    }
    return new String(out, StandardCharsets.UTF_8);
  }
}
