package io.soilci.server.site;

import static io.soilci.server.site.SiteTrees.read;
import static io.soilci.server.site.SiteTrees.ref;
import static io.soilci.server.site.SiteTrees.row;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.soilci.files.AtomicFiles;
import io.soilci.result.JobFile;
import io.soilci.result.JobMeta;
import io.soilci.result.JobMetaCodec;
import io.soilci.result.JobRef;
import io.soilci.result.SiteLayout;
import io.soilci.result.TaskName;
import io.soilci.result.TaskRow;
import io.soilci.result.TaskRows;
import io.soilci.result.TestCounts;
import io.soilci.result.TestResult;
import io.soilci.result.TestStatus;
import io.soilci.result.TestTable;
import java.io.ByteArrayOutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A job's test table, from its wwz to the run page, the run's JSON and a rebuild. */
class SiteTestResultsTest {
  private static final String C1 = "07ee33e4bb59fd268d5cc7200578668347eb96ec";
  private static final long START = 1_763_600_000L;
  private static final String NFC = Normalizer.normalize("café", Normalizer.Form.NFC);
  private static final String NFD = Normalizer.normalize("café", Normalizer.Form.NFD);

  @TempDir Path root;

  private Site open() throws Exception {
    return Site.open(new SiteSettings(root, 10, Optional.of("https://github.com/o/p")));
  }

  /** 3 passing and 1 skipped unit tests, 25 failing spec tests, 1 unreadable report. */
  private static List<TestResult> rows() {
    TaskName unit = new TaskName("unit");
    TaskName spec = new TaskName("spec");
    List<TestResult> rows = new ArrayList<>();
    rows.add(result(unit, "<script>alert(1)</script>", TestStatus.PASS, ""));
    rows.add(result(unit, NFC, TestStatus.PASS, ""));
    rows.add(result(unit, NFD, TestStatus.PASS, ""));
    rows.add(result(unit, "later", TestStatus.SKIP, "not yet"));
    rows.add(
        result(spec, "<script>alert(2)</script>", TestStatus.FAIL, "expected <b>1</b>\nline 2"));
    for (int i = 1; i < 25; i++) {
      rows.add(result(spec, "case " + i, TestStatus.ERROR, "boom " + i));
    }
    rows.add(
        new TestResult(
            spec, "", "out/xxe.xml", TestStatus.UNREADABLE, -1, "has a DOCTYPE", "out/xxe.xml", 2));
    return rows;
  }

  private static TestResult result(TaskName task, String name, TestStatus status, String message) {
    return new TestResult(task, "Suite", name, status, 0.25, message, "out/report.xml", 7);
  }

  private void store(Site site, JobRef ref, List<TestResult> tests, @Nullable String table)
      throws Exception {
    Map<String, @Nullable String> values = new LinkedHashMap<>();
    values.put(JobMeta.JOB_NAME, ref.job().value());
    values.put(JobMeta.COMMIT_HASH, C1);
    values.put(JobMeta.TASK_RUN_START_TIME, Long.toString(START));
    values.put(JobMeta.GITHUB_REF, "refs/heads/main");
    TestCounts counts = TestCounts.NONE;
    for (TestResult t : tests) {
      counts = counts.with(t.status());
    }
    values.putAll(counts.metaValues());
    JobMeta meta = new JobMeta(values);
    List<TaskRow> rows = List.of(row("unit", 0, 3), row("spec", 1, 9));
    ByteArrayOutputStream zip = new ByteArrayOutputStream();
    try (ZipOutputStream out = new ZipOutputStream(zip)) {
      out.putNextEntry(new ZipEntry(SiteLayout.TEST_RESULTS));
      Writer writer = new OutputStreamWriter(out, StandardCharsets.UTF_8);
      if (table != null) {
        writer.write(table);
      } else {
        TestTable.writeHeader(writer);
        for (TestResult t : tests) {
          TestTable.write(writer, t);
        }
      }
      writer.flush();
      out.closeEntry();
    }
    AtomicFiles.write(root.resolve(ref.file(JobFile.WWZ)), zip.toByteArray());
    AtomicFiles.write(
        root.resolve(ref.file(JobFile.TSV)),
        TaskRows.format(rows).getBytes(StandardCharsets.UTF_8));
    AtomicFiles.write(root.resolve(ref.file(JobFile.JSON)), JobMetaCodec.format(meta));
    site.jobStored(ref, meta, rows);
  }

  @Test
  void theRunPageShowsFailingTestsFirstAndTotalsBesideEachTask() throws Exception {
    try (Site site = open()) {
      store(site, ref("1", "cpp"), rows(), null);
    }
    String page = read(root, "github-jobs/1/index.html");

    int failing = page.indexOf("<table class=\"failing-tests\"");
    assertThat(failing).isPositive().isLessThan(page.indexOf("<table class=\"tasks\""));
    assertThat(page)
        .contains("tests: 3 passed, 25 failed, 1 skipped, 1 report unreadable")
        .contains("<span class=\"tests\">3 passed, 0 failed, 1 skipped</span>")
        .contains(
            "<span class=\"tests\">0 passed, 25 failed, 0 skipped, 1 report unreadable</span>")
        .contains("<span class=\"test-name\">&lt;script&gt;alert(2)&lt;/script&gt;</span>")
        .contains("<pre class=\"excerpt\">expected &lt;b&gt;1&lt;/b&gt;\nline 2</pre>")
        .contains(
            "<a href=\"cpp.wwz/out/report.xml\">out/report.xml</a> line 7 &middot; <a"
                + " href=\"cpp.wwz/_tmp/soil/logs/spec.txt?view\">log</a>")
        .contains("6 more failing not shown")
        .contains("<a href=\"cpp.wwz/_tmp/soil/tests.tsv\">test table</a>")
        .doesNotContain("<script>alert")
        .doesNotContain("case 20<");
  }

  @Test
  void theRunJsonHasTheTestsOfEachJobAndTask() throws Exception {
    try (Site site = open()) {
      store(site, ref("1", "cpp"), rows(), null);
    }
    JsonNode run =
        JsonPages.MAPPER.readTree(root.resolve("github-jobs/1/json/index.json").toFile());
    JsonNode job = run.get("jobs").get(0);
    JsonNode tests = job.get("tests");

    assertThat(tests.get("passed").asInt()).isEqualTo(3);
    assertThat(tests.get("failed").asInt()).isEqualTo(1);
    assertThat(tests.get("errors").asInt()).isEqualTo(24);
    assertThat(tests.get("skipped").asInt()).isEqualTo(1);
    assertThat(tests.get("unreadableReports").asInt()).isEqualTo(1);
    assertThat(tests.get("failing")).hasSize(TestSummary.MAX_FAILING);
    assertThat(tests.get("failingNotShown").asInt()).isEqualTo(6);
    JsonNode first = tests.get("failing").get(0);
    assertThat(first.get("name").asText()).isEqualTo("<script>alert(2)</script>");
    assertThat(first.get("task").asText()).isEqualTo("spec");
    assertThat(first.get("status").asText()).isEqualTo("fail");
    assertThat(first.get("report").asText()).isEqualTo("out/report.xml");
    assertThat(first.get("line").asInt()).isEqualTo(7);
    assertThat(job.get("tasks").get(0).get("tests").get("passed").asInt()).isEqualTo(3);
    assertThat(job.get("tasks").get(1).get("tests").get("errors").asInt()).isEqualTo(24);
  }

  @Test
  void namesDifferingOnlyInNormalizationAreTwoTests() throws Exception {
    List<TestResult> tests =
        List.of(
            result(new TaskName("unit"), NFC, TestStatus.FAIL, "a"),
            result(new TaskName("unit"), NFD, TestStatus.FAIL, "b"));
    try (Site site = open()) {
      store(site, ref("1", "cpp"), tests, null);
    }
    String page = read(root, "github-jobs/1/index.html");

    assertThat(page)
        .contains("<span class=\"test-name\">" + NFC + "</span>")
        .contains("<span class=\"test-name\">" + NFD + "</span>");
  }

  @Test
  void aBrokenTableIsNamedAndTheJobStillShown() throws Exception {
    try (Site site = open()) {
      store(site, ref("1", "cpp"), rows(), "task\tsuite\n");
    }
    String page = read(root, "github-jobs/1/index.html");

    assertThat(page)
        .contains("id=\"job-cpp\"")
        .contains(
            "test table unreadable: github-jobs/1/cpp _tmp/soil/tests.tsv line 1 must be the"
                + " header");
  }

  @Test
  void aJobWithoutTestCountsNeverOpensItsWwz() throws Exception {
    try (Site site = open()) {
      SiteTrees.store(
          site,
          root,
          ref("1", "soil"),
          SiteTrees.meta("soil", "1", C1, "s", START),
          List.of(row("unit", 0, 1)));
    }
    // SiteTrees writes a wwz that is no zip: opening it would make a problem to show.
    assertThat(read(root, "github-jobs/1/index.html")).doesNotContain("tests:");
    assertThat(read(root, "github-jobs/1/json/index.json")).doesNotContain("\"tests\"");
  }

  @Test
  void aRebuildFromTheFilesGivesTheSameBytes() throws Exception {
    try (Site site = open()) {
      store(site, ref("1", "cpp"), rows(), null);
      store(site, ref("2", "cpp"), rows().subList(0, 6), null);
    }
    Map<String, byte[]> incremental = SiteTrees.snapshot(root);
    try (Stream<Path> files = Files.walk(root)) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        String rel = root.relativize(file).toString();
        if (rel.endsWith(".html") || rel.endsWith("index.json")) {
          Files.delete(file);
        }
      }
    }

    try (Site rebuilt = open()) {
      assertThat(root.resolve("index.html")).isRegularFile();
    }

    Map<String, byte[]> regenerated = SiteTrees.snapshot(root);
    assertThat(regenerated.keySet()).containsExactlyElementsOf(incremental.keySet());
    for (String page : incremental.keySet()) {
      assertThat(new String(regenerated.get(page), StandardCharsets.UTF_8))
          .as(page)
          .isEqualTo(new String(incremental.get(page), StandardCharsets.UTF_8));
    }
    assertThat(read(root, "github-jobs/1/index.html")).contains("6 more failing not shown");
  }
}
