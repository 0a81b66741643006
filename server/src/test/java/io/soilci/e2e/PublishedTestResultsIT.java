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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real worker runs a job whose tasks write a TAP report (from a shell script) and a JUnit XML
 * report, publishes it to a real soil-server; the run page over HTTP lists the failing tests first
 * with totals beside the tasks, the run's JSON has them, and Chromium renders the page with no
 * console error and the hostile test name as text.
 */
class PublishedTestResultsIT {
  private static final String TAP_SH =
      String.join(
          "\n",
          "#!/bin/sh",
          "mkdir -p _tmp/tap",
          "{ echo 'TAP version 13'; echo 1..3",
          "  echo 'ok 1 - adds'",
          "  echo 'not ok 2 - <script>window.pwned=1</script>'",
          "  echo '# expected <b>3</b>'",
          "  echo 'ok 3 - later # SKIP no network'; } > _tmp/tap/unit.tap",
          "exit 1",
          "");

  private static final String JUNIT_SH =
      String.join(
          "\n",
          "#!/bin/sh",
          "mkdir -p _tmp/junit",
          "cat > _tmp/junit/TEST-Calc.xml <<'EOF'",
          "<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
          "<testsuite name=\"Calc\" tests=\"2\" failures=\"1\">",
          "  <testcase classname=\"org.example.Calc\" name=\"divides()\" time=\"0.5\">",
          "    <failure message=\"expected 2 but was 3\">java.lang.AssertionError: expected 2"
              + " but was 3",
          "\tat org.example.Calc.divides(Calc.java:9)</failure>",
          "  </testcase>",
          "  <testcase classname=\"org.example.Calc\" name=\"adds()\" time=\"0.1\"/>",
          "</testsuite>",
          "EOF",
          "");

  @TempDir Path tmp;

  @Test
  void failingTestsReachTheRunPageAndItsJson() throws Exception {
    try (ServerProcess server = new ServerProcess(Files.createDirectories(tmp.resolve("s")))) {
      Path checkout = Files.createDirectories(tmp.resolve("checkout"));
      script(checkout.resolve("tap.sh"), TAP_SH);
      script(checkout.resolve("junit.sh"), JUNIT_SH);
      Files.writeString(checkout.resolve("tasks.txt"), "unit ./tap.sh x -\nspec ./junit.sh x -\n");
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
                  "41")
              .directory(checkout.toFile())
              .redirectErrorStream(true)
              .redirectOutput(checkout.resolve("run-job.log").toFile());
      builder.environment().put("SOIL_TOKEN", server.token);
      Process job = builder.start();
      assertThat(job.waitFor(120, TimeUnit.SECONDS)).isTrue();
      String log = Files.readString(checkout.resolve("run-job.log"));
      assertThat(job.exitValue()).as(log).isEqualTo(1);
      assertThat(log).contains("tests: 2 passed, 2 failed, 0 errors, 1 skipped");

      Http http = new Http();
      HttpResponse<String> page = http.get(server.uri().resolve("github-jobs/41/index.html"));
      assertThat(page.statusCode()).isEqualTo(200);
      String html = page.body();
      assertThat(html.indexOf("class=\"failing-tests\""))
          .isPositive()
          .isLessThan(html.indexOf("class=\"tasks\""));
      assertThat(html)
          .contains("tests: 2 passed, 2 failed, 1 skipped")
          .contains("<span class=\"tests\">1 passed, 1 failed, 1 skipped</span>")
          .contains("<span class=\"tests\">1 passed, 1 failed, 0 skipped</span>")
          .contains("&lt;script&gt;window.pwned=1&lt;/script&gt;")
          .contains("<pre class=\"excerpt\">expected &lt;b&gt;3&lt;/b&gt;</pre>")
          .contains("<a href=\"tests-job.wwz/_tmp/junit/TEST-Calc.xml\">")
          .doesNotContain("<script>window.pwned");

      HttpResponse<String> report =
          http.get(server.uri().resolve("github-jobs/41/tests-job.wwz/_tmp/junit/TEST-Calc.xml"));
      assertThat(report.statusCode()).isEqualTo(200);
      assertThat(report.body()).contains("divides()");

      JsonNode run =
          new ObjectMapper()
              .readTree(http.get(server.uri().resolve("github-jobs/41/json/index.json")).body());
      JsonNode tests = run.get("jobs").get(0).get("tests");
      assertThat(tests.get("passed").asInt()).isEqualTo(2);
      assertThat(tests.get("failed").asInt()).isEqualTo(2);
      assertThat(tests.get("skipped").asInt()).isEqualTo(1);
      assertThat(tests.get("failing").get(1).get("message").asText())
          .isEqualTo(
              "java.lang.AssertionError: expected 2 but was 3\n\tat org.example.Calc.divides(Calc.java:9)");

      try (Chromium chromium = Chromium.start(Files.createDirectories(tmp.resolve("profile")))) {
        chromium.open(server.uri().resolve("github-jobs/41/index.html").toString());
        Thread.sleep(700);
        assertThat(chromium.takeErrors()).isEmpty();
        assertThat(chromium.eval("typeof window.pwned").asText()).isEqualTo("undefined");
        assertThat(
                chromium
                    .eval("document.querySelectorAll('table.failing-tests tbody tr').length")
                    .asInt())
            .isEqualTo(2);
        assertThat(
                chromium
                    .eval("document.querySelector('table.failing-tests .test-name').textContent")
                    .asText())
            .isEqualTo("<script>window.pwned=1</script>");
      }
    }
  }

  private static void script(Path file, String text) throws Exception {
    Files.writeString(file, text);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
  }
}
