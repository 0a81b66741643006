package io.soilci.worker.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.soilci.result.JobMeta;
import io.soilci.result.JobMetaCodec;
import io.soilci.result.SiteLayout;
import io.soilci.result.TestResult;
import io.soilci.result.TestStatus;
import io.soilci.result.TestTable;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * A job whose tasks write test reports with real tools (TAP from a shell script, pytest's
 * --junitxml, ctest's --output-junit), fixtures of other dialects and a hostile report, run once
 * through the CLI.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RunJobTestReportsTest {
  private Path dir = Path.of("");
  private Worker.Result result = new Worker.Result(-1, "", "");
  private final List<TestResult> rows = new ArrayList<>();
  private final List<String> entries = new ArrayList<>();

  @BeforeAll
  void runAJobWithTestReports(@TempDir Path tempDir) throws Exception {
    Assumptions.assumeTrue(works("python3", "-m", "pytest", "--version"), "pytest is installed");
    Assumptions.assumeTrue(works("ctest", "--version"), "ctest is installed");
    dir = tempDir;
    Checkout checkout =
        Checkout.create(dir, "Reports")
            .script(
                "t/tap.sh",
                "mkdir -p _tmp/tap\n"
                    + "{ echo 'TAP version 13'; echo 1..3; i=1\n"
                    + "  for name in adds subtracts divides; do\n"
                    + "    if [ $name = divides ]; then echo \"not ok $i - $name\";"
                    + " echo '# division by zero'\n"
                    + "    else echo \"ok $i - $name\"; fi; i=$((i+1))\n"
                    + "  done; } > _tmp/tap/result.tap")
            .script(
                "t/pytest.sh",
                "mkdir -p _tmp/py\n"
                    + "printf 'import pytest\\ndef test_ok():\\n    assert True\\n"
                    + "def test_bad():\\n    assert 1 == 2, \"numbers differ\"\\n"
                    + "@pytest.mark.skip(reason=\"not today\")\\ndef test_skip():\\n    pass\\n'"
                    + " > _tmp/py/test_demo.py\n"
                    + "python3 -m pytest -q -p no:cacheprovider --junitxml=_tmp/py/junit.xml"
                    + " _tmp/py/test_demo.py")
            .script(
                "t/ctest.sh",
                "mkdir -p _tmp/ct && cd _tmp/ct\n"
                    + "printf 'add_test(passes /bin/true)\\n"
                    + "add_test(fails /bin/sh -c \"echo boom; exit 3\")\\n"
                    + "add_test(skipped /bin/sh -c \"exit 77\")\\n"
                    + "set_tests_properties(skipped PROPERTIES SKIP_RETURN_CODE 77)\\n'"
                    + " > CTestTestfile.cmake\n"
                    + "ctest --output-junit \"$PWD/junit.xml\" > /dev/null")
            .script("t/copy.sh", "mkdir -p _tmp && cp -r fixtures _tmp/reports")
            .script(
                "t/evil.sh",
                "mkdir -p _tmp/evil\n"
                    + "printf '<?xml version=\"1.0\"?>\\n<!DOCTYPE t [<!ENTITY x SYSTEM"
                    + " \"file:///etc/passwd\">]>\\n<testsuite><testcase name=\"&x;\"/>"
                    + "</testsuite>\\n' > _tmp/evil/xxe.xml");
    for (String fixture : List.of("gradle.xml", "junit5-console.xml")) {
      try (InputStream in =
          getClass().getResourceAsStream("/io/soilci/worker/testreport/" + fixture)) {
        checkout.file(
            "fixtures/" + fixture,
            new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
      }
    }
    Path old = checkout.file("old/TEST-old.xml", "<testsuite><testcase name=\"old\"/></testsuite>");
    Files.setLastModifiedTime(old, FileTime.from(Instant.now().minusSeconds(3600)));
    checkout.file(
        "tasks.txt",
        "tap      t/tap.sh    x -\n"
            + "pytest   t/pytest.sh x -\n"
            + "ctest    t/ctest.sh  x -\n"
            + "fixtures t/copy.sh   x -\n"
            + "evil     t/evil.sh   x -\n");
    result =
        Worker.run(
            Map.of("PATH", System.getenv("PATH"), "HOME", dir.toString()),
            "run-job",
            "reports",
            "--checkout",
            dir.toString(),
            "--tasks",
            dir.resolve("tasks.txt").toString(),
            "--worker-host",
            "none",
            "--test-reports",
            "tap=_tmp/tap/*.tap",
            "--test-reports",
            "pytest=_tmp/py/*.xml",
            "--test-reports",
            "ctest=_tmp/ct/*.xml",
            "--test-reports",
            "fixtures=_tmp/reports/*",
            "--test-reports",
            "evil=_tmp/evil/*.xml",
            "--test-reports",
            "evil=old/*.xml");
    try (ZipFile zip = ZipFile.builder().setPath(dir.resolve("_tmp/soil/out/reports.wwz")).get()) {
      for (ZipArchiveEntry e : java.util.Collections.list(zip.getEntries())) {
        entries.add(e.getName());
      }
      ZipArchiveEntry table = zip.getEntry(SiteLayout.TEST_RESULTS);
      if (table != null) {
        try (InputStream in = zip.getInputStream(table)) {
          TestTable.read(in, "tests.tsv", rows::add);
        }
      }
    }
  }

  private static boolean works(String... command) {
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      process.getInputStream().readAllBytes();
      return process.waitFor(60, TimeUnit.SECONDS) && process.exitValue() == 0;
    } catch (Exception e) {
      return false;
    }
  }

  @Test
  void anUnreadableReportDoesNotFailTheJob() {
    // ctest's failing test makes ctest exit 8; the hostile report changes nothing.
    assertThat(result.exit()).as(result.err()).isEqualTo(8);
    assertThat(result.err())
        .contains(
            "soil-worker: task evil: test report _tmp/evil/xxe.xml is unreadable: has a DOCTYPE"
                + " at line 2: reports with a DTD are not read (no entity is expanded or fetched)")
        .contains(
            "soil-worker: task evil: 1 test report(s) matching ['_tmp/evil/*.xml', 'old/*.xml']"
                + " are older than the job and were not read");
    assertThat(result.out())
        .contains("tests: 6 passed, 5 failed, 0 errors, 4 skipped; 1 report(s) unreadable");
  }

  @Test
  void theJsonGetsCountsUnderNewKeysAndKeepsSoils() throws Exception {
    JobMeta meta = JobMetaCodec.read(dir.resolve("_tmp/soil/out/reports.json"), "json");

    assertThat(meta.values())
        .containsEntry(JobMeta.JOB_NAME, "reports")
        .containsEntry("job-status", "8")
        .containsKeys(JobMeta.COMMIT_HASH, JobMeta.TASK_RUN_START_TIME)
        .containsEntry(JobMeta.TESTS_PASSED, "6")
        .containsEntry(JobMeta.TESTS_FAILED, "5")
        .containsEntry(JobMeta.TESTS_ERRORS, "0")
        .containsEntry(JobMeta.TESTS_SKIPPED, "4")
        .containsEntry(JobMeta.TEST_REPORTS_UNREADABLE, "1");
  }

  @Test
  void theWwzHoldsTheTableAndEveryReportReadableOrNot() {
    assertThat(entries)
        .contains(
            SiteLayout.TEST_RESULTS,
            "_tmp/tap/result.tap",
            "_tmp/py/junit.xml",
            "_tmp/ct/junit.xml",
            "_tmp/reports/gradle.xml",
            "_tmp/reports/junit5-console.xml",
            "_tmp/evil/xxe.xml")
        .doesNotContain("old/TEST-old.xml", "_tmp/py/test_demo.py")
        .doesNotHaveDuplicates();
  }

  @Test
  void theTableHoldsEachTaskReportsInTaskOrder() {
    assertThat(rows)
        .extracting(r -> r.task().value(), TestResult::name, TestResult::status)
        .containsExactly(
            tuple("tap", "adds", TestStatus.PASS),
            tuple("tap", "subtracts", TestStatus.PASS),
            tuple("tap", "divides", TestStatus.FAIL),
            tuple("pytest", "test_ok", TestStatus.PASS),
            tuple("pytest", "test_bad", TestStatus.FAIL),
            tuple("pytest", "test_skip", TestStatus.SKIP),
            tuple("ctest", "passes", TestStatus.PASS),
            tuple("ctest", "fails", TestStatus.FAIL),
            tuple("ctest", "skipped", TestStatus.SKIP),
            tuple("fixtures", "adds()", TestStatus.PASS),
            tuple("fixtures", "divides by zero()", TestStatus.FAIL),
            tuple("fixtures", "roundsHalfEven()", TestStatus.SKIP),
            tuple("fixtures", "greets()", TestStatus.PASS),
            tuple("fixtures", "shouts()", TestStatus.FAIL),
            tuple("fixtures", "whispers()", TestStatus.SKIP),
            tuple("evil", "_tmp/evil/xxe.xml", TestStatus.UNREADABLE));
    TestResult divides = rows.get(2);
    assertThat(divides.message()).isEqualTo("division by zero");
    assertThat(divides.report()).isEqualTo("_tmp/tap/result.tap");
    assertThat(divides.line()).isEqualTo(5);
    assertThat(rows.get(4).message()).startsWith("AssertionError: numbers differ\nassert 1 == 2");
    assertThat(rows.get(4).suite()).isEqualTo("_tmp.py.test_demo");
    assertThat(rows.get(7).message()).isEqualTo("boom");
  }

  @Test
  void aTaskTheJobDoesNotHaveIsRefused(@TempDir Path other) throws Exception {
    Checkout.create(other, "x").file("tasks.txt", "a true x -\n");

    Worker.Result refused =
        Worker.run(
            Map.of("PATH", System.getenv("PATH")),
            "run-job",
            "j",
            "--checkout",
            other.toString(),
            "--tasks",
            other.resolve("tasks.txt").toString(),
            "--test-reports",
            "b=*.xml");

    assertThat(refused.exit()).isEqualTo(2);
    assertThat(refused.err())
        .isEqualTo(
            "soil-worker: --test-reports 'b=*.xml' names task 'b', which the job does not have\n");
    assertThat(other.resolve("_tmp/soil/out")).doesNotExist();
  }
}
