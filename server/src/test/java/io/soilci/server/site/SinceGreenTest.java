package io.soilci.server.site;

import static io.soilci.server.site.SiteTrees.ref;
import static io.soilci.server.site.SiteTrees.row;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.soilci.result.RunId;
import io.soilci.result.TaskRow;
import io.soilci.result.TestResult;
import io.soilci.result.WorkerHost;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A run's "since the last green run" page and JSON, rendered on request from the index. */
class SinceGreenTest {
  private static final String C1 = "1111111111111111111111111111111111111111";
  private static final String C2 = "2222222222222222222222222222222222222222";
  private static final String C3 = "3333333333333333333333333333333333333333";
  private static final String C4 = "4444444444444444444444444444444444444444";
  private static final long START = 1_763_600_000L;
  private static final String HOSTILE = "<script>alert(1)</script>";

  @TempDir Path root;

  private Site open() throws Exception {
    return Site.open(new SiteSettings(root, 20, Optional.of("https://github.com/o/p")));
  }

  private void store(
      Site site,
      String run,
      String commit,
      String branch,
      int spec,
      String log,
      List<TestResult> tests)
      throws Exception {
    List<TaskRow> tasks = List.of(row("build", 0, 2), row("spec", spec, 3));
    TestJobs.store(
        site,
        root,
        ref(run, "cpp"),
        commit,
        branch,
        START + Long.parseLong(run) * 100,
        tasks,
        tests,
        Map.of("spec", log));
  }

  private static String log(String at, String middle) {
    return "["
        + at
        + "] building in /tmp/build."
        + at.replace(":", "")
        + "\n"
        + "step 1 ok in 0.5 s\nstep 2 ok\n"
        + middle
        + "\nstep 4 ok\ndone at "
        + at
        + "\n";
  }

  private static List<TestResult> unit(String... failing) {
    return TestJobs.tests("spec", List.of("adds", "divides", HOSTILE), List.of(failing));
  }

  private String page(Site site, String run) {
    return new String(
        site.sinceGreen(WorkerHost.GITHUB, new RunId(run), false).orElseThrow(),
        StandardCharsets.UTF_8);
  }

  @Test
  void listsCommitsNewlyAndAlreadyFailingAndDiffsTheNewlyFailingTasksLog() throws Exception {
    try (Site site = open()) {
      store(site, "1", C1, "main", 0, log("10:00:01", "step 3 ok"), unit());
      store(
          site,
          "2",
          C2,
          "main",
          1,
          log("11:12:13", "error: step 3 failed: expected 2 but was 3"),
          unit("divides"));
      store(site, "3", C4, "other", 0, log("11:00:00", "x"), unit()); // another branch: ignored
      store(
          site,
          "4",
          C3,
          "main",
          1,
          log("12:00:00", "error: step 3 failed: expected 2 but was 3"),
          unit("divides", HOSTILE));

      String second = page(site, "2");
      assertThat(second)
          .contains("last green run: <a href=\"../1/index.html\">run 1</a>")
          .contains("<span class=\"tag new\">newly failing</span>")
          .contains("<span class=\"del\">- step 3 ok</span>")
          .contains("<span class=\"add\">+ error: step 3 failed: expected 2 but was 3</span>")
          // The same once temp paths and times are set aside: context at most.
          .doesNotContain("<span class=\"del\">- [")
          .doesNotContain("<span class=\"add\">+ [")
          .doesNotContain("<span class=\"add\">+ done at");

      String fourth = page(site, "4");
      assertThat(fourth)
          .contains("last green run: <a href=\"../1/index.html\">run 1</a>")
          .contains("href=\"https://github.com/o/p/commit/" + C3 + "\">33333333</a>")
          .contains("href=\"https://github.com/o/p/commit/" + C2 + "\">22222222</a>")
          .doesNotContain("4444444")
          .contains("<span class=\"tag already\">already failing</span>")
          .contains("<span class=\"test-name\">&lt;script&gt;alert(1)&lt;/script&gt;</span>")
          .doesNotContain("<script>alert")
          .doesNotContain("class=\"diff\""); // spec was already failing: no diff
      assertThat(fourth.indexOf(C3.substring(0, 7))).isLessThan(fourth.indexOf(C2.substring(0, 7)));

      JsonNode json =
          JsonPages.MAPPER.readTree(
              site.sinceGreen(WorkerHost.GITHUB, new RunId("4"), true).orElseThrow());
      assertThat(json.get("branch").asText()).isEqualTo("main");
      assertThat(json.get("lastGreen").asText()).isEqualTo("1");
      assertThat(json.get("commits")).hasSize(2);
      assertThat(json.get("commits").get(0).get("commit").asText()).isEqualTo(C3);
      JsonNode job = json.get("jobs").get(0);
      assertThat(job.get("job").asText()).isEqualTo("cpp");
      JsonNode spec = job.get("tasks").get(0);
      assertThat(spec.get("task").asText()).isEqualTo("spec");
      assertThat(spec.get("newlyFailing").asBoolean()).isFalse();
      assertThat(spec.get("previousRun").asText()).isEqualTo("2");
      assertThat(spec.get("lastPassedRun").asText()).isEqualTo("1");
      assertThat(spec.get("logDiff").isNull()).isTrue();
      JsonNode tests = job.get("tests");
      assertThat(tests).hasSize(2);
      assertThat(tests.get(0).get("name").asText()).isEqualTo(HOSTILE);
      assertThat(tests.get(0).get("newlyFailing").asBoolean()).isTrue();
      assertThat(tests.get(1).get("name").asText()).isEqualTo("divides");
      assertThat(tests.get(1).get("newlyFailing").asBoolean()).isFalse();
      assertThat(tests.get(1).get("lastPassedRun").asText()).isEqualTo("1");
      assertThat(tests.get(1).get("history").asText()).startsWith("github-jobs/tests/json/");

      JsonNode second2 =
          JsonPages.MAPPER.readTree(
              site.sinceGreen(WorkerHost.GITHUB, new RunId("2"), true).orElseThrow());
      JsonNode diff = second2.get("jobs").get(0).get("tasks").get(0).get("logDiff");
      assertThat(diff.get("same").asBoolean()).isFalse();
      assertThat(diff.get("lines").get(0).get("kind").asText()).isEqualTo("@");
    }
  }

  @Test
  void aChangeToAnEarlierRunOfTheBranchIsSeenAndAnUnknownRunIsEmpty() throws Exception {
    try (Site site = open()) {
      store(site, "1", C1, "main", 1, log("10:00:01", "a"), unit("divides"));
      store(site, "3", C3, "main", 1, log("10:00:03", "a"), unit("divides"));
      assertThat(page(site, "3"))
          .contains("no green run of this branch among the 1 earlier runs kept");

      store(site, "2", C2, "main", 0, log("10:00:02", "a"), unit()); // a late green run

      assertThat(page(site, "3")).contains("last green run: <a href=\"../2/index.html\">run 2</a>");
      assertThat(site.sinceGreen(WorkerHost.GITHUB, new RunId("9"), false)).isEmpty();
    }
  }
}
