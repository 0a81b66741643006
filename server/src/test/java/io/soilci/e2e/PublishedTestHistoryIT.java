package io.soilci.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.soilci.server.testing.Chromium;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Five runs of a real worker (a TAP report from a shell script, a JUnit XML report) published to a
 * real soil-server, on the commits of a real git repository: the failing test's history page
 * (squares, flaky: it passed and failed on one commit), the "since the last green run" page
 * (commits, newly vs already failing, the log diff with times and temp paths normalized away) and
 * their JSON over HTTP; then the pages in real Chromium with no console error and screenshots in
 * {@code target/screenshots/}.
 */
class PublishedTestHistoryIT {
  private static final Path SHOTS = Path.of("target/screenshots");
  private static final ObjectMapper JSON = new ObjectMapper();

  /** TAP: "adds" passes; the hostile test fails when the file {@code tap-fails} exists. */
  private static final String TAP_SH =
      String.join(
          "\n",
          "#!/bin/sh",
          "mkdir -p _tmp/tap",
          "echo \"[$(date -u +%H:%M:%S)] unit in $(mktemp -d)\"",
          "if [ -e tap-fails ]; then r='not ok'; else r=ok; fi",
          "{ echo 'TAP version 13'; echo 1..2",
          "  echo 'ok 1 - adds'",
          "  echo \"$r 2 - <script>window.pwned=1</script>\"; } > _tmp/tap/unit.tap",
          "echo \"unit took $(date +%N | cut -c1-3) ms\"",
          "[ \"$r\" = ok ]",
          "");

  /** JUnit: "divides()" fails when the file {@code junit-fails} exists. */
  private static final String JUNIT_SH =
      String.join(
          "\n",
          "#!/bin/sh",
          "mkdir -p _tmp/junit",
          "echo \"[$(date -u +%Y-%m-%dT%H:%M:%SZ)] spec in $(mktemp -d)\"",
          "echo 'Running org.example.Calc'",
          "if [ -e junit-fails ]; then",
          "  echo 'error: divides(): expected 2 but was 3'",
          "  f='<failure message=\"expected 2 but was 3\">AssertionError</failure>'",
          "else echo 'divides() ok'; f=''; fi",
          "echo \"Tests run: 2, Time elapsed: 0.$(date +%N | cut -c1-3) s\"",
          "cat > _tmp/junit/TEST-Calc.xml <<EOF",
          "<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
          "<testsuite name=\"Calc\" tests=\"2\">",
          "  <testcase classname=\"org.example.Calc\" name=\"divides()\" time=\"0.5\">$f</testcase>",
          "  <testcase classname=\"org.example.Calc\" name=\"adds()\" time=\"0.1\"/>",
          "</testsuite>",
          "EOF",
          "[ -z \"$f\" ]",
          "");

  @TempDir Path tmp;

  @Test
  void historyFlakyAndSinceGreenPagesOverHttpAndInChromium() throws Exception {
    try (ServerProcess server = new ServerProcess(Files.createDirectories(tmp.resolve("s")))) {
      Path checkout = Files.createDirectories(tmp.resolve("checkout"));
      Git git = new Git(checkout);
      git.run("init", "-q", "-b", "main");
      script(checkout.resolve("tap.sh"), TAP_SH);
      script(checkout.resolve("junit.sh"), JUNIT_SH);
      Files.writeString(checkout.resolve("tasks.txt"), "unit ./tap.sh x -\nspec ./junit.sh x -\n");
      Files.writeString(checkout.resolve(".gitignore"), "_tmp/\n*.log\n");

      String a = commit(git, checkout, "first: all pass");
      run(server, checkout, 1, 0);
      Files.writeString(checkout.resolve("junit-fails"), "");
      String b = commit(git, checkout, "second: divides breaks");
      run(server, checkout, 2, 1);
      Files.delete(checkout.resolve("junit-fails"));
      run(server, checkout, 3, 0); // the same commit passes: divides() is flaky
      Files.writeString(checkout.resolve("junit-fails"), "");
      Files.writeString(checkout.resolve("tap-fails"), "");
      String c = commit(git, checkout, "third: both break");
      run(server, checkout, 4, 1);
      String d = commit(git, checkout, "fourth: still broken");
      run(server, checkout, 5, 1);
      assertThat(a).isNotEqualTo(b);

      Http http = new Http();
      String runPage = get(http, server, "github-jobs/5/index.html");
      Matcher link =
          Pattern.compile(
                  "<span class=\"test-name\">divides\\(\\)</span> <a class=\"history\""
                      + " href=\"\\.\\./tests/([0-9a-f]{16})\\.html\">history</a>")
              .matcher(runPage);
      assertThat(link.find()).as(runPage).isTrue();
      String divides = link.group(1);
      assertThat(runPage).contains("<a class=\"since-green\" href=\"since-green.html\">");

      String history = get(http, server, "github-jobs/tests/" + divides + ".html");
      assertThat(history)
          .contains("<span class=\"tag flaky\"")
          .contains("passed (run 3) and failed (run 2) on the same commit " + b.substring(0, 8))
          .contains("First failed in the kept history: <a href=\"../2/index.html#job-tests-job\">")
          .contains("Failing since <a href=\"../4/index.html#job-tests-job\">run 4</a>")
          .contains("<a class=\"sq pass\" href=\"../1/index.html#job-tests-job\"")
          .contains("<a class=\"sq fail\" href=\"../5/index.html#job-tests-job\"");
      JsonNode historyJson =
          JSON.readTree(get(http, server, "github-jobs/tests/json/" + divides + ".json"));
      assertThat(historyJson.get("name").asText()).isEqualTo("divides()");
      assertThat(historyJson.get("suite").asText()).isEqualTo("org.example.Calc");
      assertThat(historyJson.get("flaky").asBoolean()).isTrue();
      assertThat(historyJson.get("branches").get(0).get("branch").asText()).isEqualTo("main");
      assertThat(historyJson.get("branches").get(0).get("results")).hasSize(5);
      assertThat(historyJson.get("branches").get(0).get("results").get(0).get("seconds").asDouble())
          .isEqualTo(0.5);

      String since = get(http, server, "github-jobs/5/since-green.html");
      assertThat(since)
          .contains("last green run: <a href=\"../3/index.html\">run 3</a>")
          .contains(d.substring(0, 8))
          .contains(c.substring(0, 8))
          // b is the last green run's commit: named as such, not among the commits since.
          .doesNotContain("<li><code class=\"hash\">" + b.substring(0, 8))
          .contains("<span class=\"tag already\">already failing</span>")
          .contains("&lt;script&gt;window.pwned=1&lt;/script&gt;")
          .doesNotContain("<script>window.pwned");
      String since4 = get(http, server, "github-jobs/4/since-green.html");
      assertThat(since4)
          .contains("<span class=\"tag new\">newly failing</span>")
          .contains("<span class=\"add\">+ error: divides(): expected 2 but was 3</span>")
          .contains("<span class=\"del\">- divides() ok</span>")
          // Times, temp folders and durations differ in every run: never a difference.
          .doesNotContain("class=\"add\">+ [")
          .doesNotContain("class=\"add\">+ Tests run")
          .doesNotContain("class=\"add\">+ unit took");
      JsonNode sinceJson = JSON.readTree(get(http, server, "github-jobs/5/json/since-green.json"));
      assertThat(sinceJson.get("lastGreen").asText()).isEqualTo("3");
      assertThat(sinceJson.get("commits").get(0).get("commit").asText()).isEqualTo(d);
      assertThat(sinceJson.get("commits").get(1).get("commit").asText()).isEqualTo(c);
      JsonNode tasks = sinceJson.get("jobs").get(0).get("tasks");
      assertThat(tasks).hasSize(2);
      assertThat(tasks.get(0).get("newlyFailing").asBoolean()).isFalse();
      assertThat(tasks.get(0).get("lastPassedRun").asText()).isEqualTo("3");
      JsonNode runJson = JSON.readTree(get(http, server, "github-jobs/5/json/index.json"));
      assertThat(runJson.get("sinceGreen").asText()).isEqualTo("json/since-green.json");
      assertThat(http.get(server.uri().resolve("github-jobs/99/since-green.html")).statusCode())
          .isEqualTo(404);

      Files.createDirectories(SHOTS);
      try (Chromium chromium = Chromium.start(Files.createDirectories(tmp.resolve("profile")))) {
        String[][] pages = {
          {"github-jobs/5/index.html", "tests-run-page.png"},
          {"github-jobs/tests/" + divides + ".html", "tests-history.png"},
          {"github-jobs/4/since-green.html", "tests-since-green.png"},
        };
        for (String[] page : pages) {
          chromium.open(server.uri().resolve(page[0]).toString());
          Thread.sleep(700);
          assertThat(chromium.takeErrors()).as(page[0]).isEmpty();
          assertThat(chromium.eval("typeof window.pwned").asText()).isEqualTo("undefined");
          chromium.screenshot(SHOTS.resolve(page[1]), 1280, false);
          chromium.screenshot(SHOTS.resolve("phone-" + page[1]), 390, true);
        }
        assertThat(chromium.eval("document.querySelectorAll('pre.diff span.add').length").asInt())
            .isPositive();
      }
    }
  }

  private static String get(Http http, ServerProcess server, String path) throws Exception {
    HttpResponse<String> page = http.get(server.uri().resolve(path));
    assertThat(page.statusCode()).as(path).isEqualTo(200);
    return page.body();
  }

  private static String commit(Git git, Path checkout, String subject) throws Exception {
    Files.writeString(checkout.resolve("notes.txt"), subject + "\n");
    git.run("add", "-A");
    git.run("commit", "-q", "-m", subject);
    return git.run("rev-parse", "HEAD");
  }

  private void run(ServerProcess server, Path checkout, int run, int status) throws Exception {
    Path log = tmp.resolve("run-job-" + run + ".log");
    ProcessBuilder builder =
        new ProcessBuilder(
                "java",
                "-jar",
                Repo.WORKER_JAR.toString(),
                "run-job",
                "tests-job",
                "--tasks",
                "tasks.txt",
                "--checkout",
                checkout.toString(),
                "--test-reports",
                "unit=_tmp/tap/*.tap",
                "--test-reports",
                "spec=_tmp/junit/TEST-*.xml",
                "--server",
                server.uri().toString(),
                "--worker-host",
                "github",
                "--run-id",
                Integer.toString(run))
            .directory(checkout.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    builder.environment().put("SOIL_TOKEN", server.token);
    builder.environment().put("GITHUB_REF", "refs/heads/main");
    Process job = builder.start();
    assertThat(job.waitFor(180, TimeUnit.SECONDS)).isTrue();
    assertThat(job.exitValue()).as(Files.readString(log)).isEqualTo(status);
  }

  private static void script(Path file, String text) throws Exception {
    Files.writeString(file, text);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
  }
}
