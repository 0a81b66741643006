package io.soilci.server.site;

import static io.soilci.server.site.SiteTrees.read;
import static io.soilci.server.site.SiteTrees.ref;
import static io.soilci.server.site.SiteTrees.row;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.soilci.result.JobFile;
import io.soilci.result.JobMeta;
import io.soilci.result.JobMetaCodec;
import io.soilci.result.JobRef;
import io.soilci.result.SiteLayout;
import io.soilci.result.TaskRow;
import io.soilci.result.TaskRows;
import io.soilci.result.TestCounts;
import io.soilci.result.TestResult;
import io.soilci.result.TestStatus;
import io.soilci.result.TestTable;
import io.soilci.result.WorkerHost;
import java.io.BufferedWriter;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Per-test history pages: written as runs arrive, flaky marks, bounds, a rebuild's bytes. */
class SiteTestHistoryTest {
  private static final String C1 = "1111111111111111111111111111111111111111";
  private static final String C2 = "2222222222222222222222222222222222222222";
  private static final String C3 = "3333333333333333333333333333333333333333";
  private static final long START = 1_763_600_000L;

  @TempDir Path root;

  private Site open(int keep) throws Exception {
    return Site.open(new SiteSettings(root, keep, Optional.of("https://github.com/o/p")));
  }

  private void store(Site site, String run, String commit, List<TestResult> tests)
      throws Exception {
    boolean failed = tests.stream().anyMatch(t -> t.status().isFailing());
    List<TaskRow> tasks = List.of(row("unit", failed ? 1 : 0, 3));
    TestJobs.store(
        site,
        root,
        ref(run, "cpp"),
        commit,
        "main",
        START + Long.parseLong(run) * 100,
        tasks,
        tests,
        Map.of());
  }

  private static List<TestResult> unit(String... failing) {
    return TestJobs.tests(
        "unit", List.of("adds", "divides", "<script>alert(1)</script>"), List.of(failing));
  }

  private static TestKey key(String name) {
    return TestKey.of("cpp", "unit", "Suite", name);
  }

  private String testPage(String name) throws Exception {
    return read(root, "github-jobs/tests/" + key(name).id() + ".html");
  }

  @Test
  void aTestThatFailedGetsAHistoryPageLinkedFromTheRunPage() throws Exception {
    try (Site site = open(10)) {
      store(site, "1", C1, unit());
      store(site, "2", C2, unit("divides"));
      store(site, "3", C3, unit("divides"));
    }
    String run = read(root, "github-jobs/3/index.html");
    assertThat(run)
        .contains(
            "<span class=\"test-name\">divides</span> <a class=\"history\" href=\"../tests/"
                + key("divides").id()
                + ".html\">history</a>")
        .contains("<a class=\"since-green\" href=\"since-green.html\">");
    String page = testPage("divides");
    assertThat(page)
        .contains("<span class=\"test-name\">divides</span>")
        .contains("First failed in the kept history: <a href=\"../2/index.html#job-cpp\">run 2</a>")
        .contains("Failing since <a href=\"../2/index.html#job-cpp\">run 2</a>")
        .contains(
            "<a class=\"sq pass\" href=\"../1/index.html#job-cpp\" title=\"run 1: pass, 0.13 s\"></a>")
        .contains("<a class=\"sq fail\" href=\"../3/index.html#job-cpp\"")
        .contains("<a class=\"hash\" href=\"https://github.com/o/p/commit/" + C2 + "\">")
        .doesNotContain("tag flaky");
    // A test that never failed has no page.
    assertThat(root.resolve("github-jobs/tests/" + key("adds").id() + ".html")).doesNotExist();

    JsonNode json =
        JsonPages.MAPPER.readTree(
            root.resolve("github-jobs/tests/json/" + key("divides").id() + ".json").toFile());
    assertThat(json.get("name").asText()).isEqualTo("divides");
    assertThat(json.get("flaky").asBoolean()).isFalse();
    assertThat(json.get("firstFailed").get("run").asText()).isEqualTo("2");
    JsonNode main = json.get("branches").get(0);
    assertThat(main.get("branch").asText()).isEqualTo("main");
    assertThat(main.get("failingSince").get("run").asText()).isEqualTo("2");
    assertThat(main.get("results")).hasSize(3);
    assertThat(main.get("results").get(0).get("run").asText()).isEqualTo("3");
    assertThat(main.get("results").get(0).get("status").asText()).isEqualTo("fail");
    assertThat(main.get("results").get(0).get("seconds").asDouble()).isEqualTo(0.125);
    JsonNode runJson =
        JsonPages.MAPPER.readTree(root.resolve("github-jobs/3/json/index.json").toFile());
    assertThat(
            runJson.get("jobs").get(0).get("tests").get("failing").get(0).get("history").asText())
        .isEqualTo("github-jobs/tests/json/" + key("divides").id() + ".json");
  }

  @Test
  void aLaterPassIsAddedToThePageOfATestThatFailedBefore() throws Exception {
    try (Site site = open(10)) {
      store(site, "1", C1, unit("divides"));
      String before = testPage("divides");
      store(site, "2", C2, unit());
      assertThat(before).doesNotContain("run 2");
    }
    assertThat(testPage("divides"))
        .contains("<a class=\"sq pass\" href=\"../2/index.html#job-cpp\"")
        .doesNotContain("Failing since");
  }

  @Test
  void passingAndFailingOnTheSameCommitIsFlaky() throws Exception {
    try (Site site = open(10)) {
      store(site, "1", C1, unit());
      store(site, "2", C1, unit("divides"));
    }
    assertThat(testPage("divides"))
        .contains("<span class=\"tag flaky\"")
        .contains("passed (run 1) and failed (run 2) on the same commit 1111111");
  }

  @Test
  void flippingFourTimesInTwentyResultsIsFlakyThreeIsNot() throws Exception {
    String[] commits = new String[8];
    for (int i = 0; i < commits.length; i++) {
      commits[i] = String.valueOf((char) ('a' + i)).repeat(40);
    }
    try (Site site = open(20)) {
      // pass fail pass fail: 3 changes.
      store(site, "1", commits[0], unit());
      store(site, "2", commits[1], unit("divides"));
      store(site, "3", commits[2], unit());
      store(site, "4", commits[3], unit("divides"));
      assertThat(testPage("divides")).doesNotContain("tag flaky");
      store(site, "5", commits[4], unit());
    }
    assertThat(testPage("divides"))
        .contains("changed between pass and fail 4 times in its last 5 results on main");
  }

  @Test
  void hostileAndDifferentlyNormalizedNamesAreTextOnTwoPages() throws Exception {
    String nfc = Normalizer.normalize("café", Normalizer.Form.NFC);
    String nfd = Normalizer.normalize("café", Normalizer.Form.NFD);
    try (Site site = open(10)) {
      store(
          site,
          "1",
          C1,
          List.of(
              TestJobs.test("unit", nfc, TestStatus.FAIL, 1),
              TestJobs.test("unit", nfd, TestStatus.PASS, 1),
              TestJobs.test("unit", "<script>alert(1)</script>", TestStatus.ERROR, 1)));
      store(
          site,
          "2",
          C2,
          List.of(
              TestJobs.test("unit", nfc, TestStatus.PASS, 1),
              TestJobs.test("unit", nfd, TestStatus.FAIL, 1)));
    }
    assertThat(key(nfc).id()).isNotEqualTo(key(nfd).id());
    assertThat(testPage(nfc))
        .contains("<span class=\"test-name\">" + nfc + "</span>")
        .contains("<a class=\"sq fail\" href=\"../1/")
        .contains("<a class=\"sq pass\" href=\"../2/");
    assertThat(testPage(nfd))
        .contains("<span class=\"test-name\">" + nfd + "</span>")
        .contains("<a class=\"sq pass\" href=\"../1/")
        .contains("<a class=\"sq fail\" href=\"../2/");
    assertThat(testPage("<script>alert(1)</script>"))
        .contains("<span class=\"test-name\">&lt;script&gt;alert(1)&lt;/script&gt;</span>")
        .contains("<title>test &lt;script&gt;alert(1)&lt;/script&gt;</title>")
        .doesNotContain("<script>alert");
  }

  @Test
  void aPageLeavesWithTheLastRunItFailedIn() throws Exception {
    try (Site site = open(2)) {
      store(site, "1", C1, unit("divides"));
      assertThat(root.resolve("github-jobs/tests/" + key("divides").id() + ".html")).exists();
      store(site, "2", C2, unit());
      store(site, "3", C3, unit());
    }
    assertThat(root.resolve("github-jobs/1")).doesNotExist();
    assertThat(root.resolve("github-jobs/tests/" + key("divides").id() + ".html")).doesNotExist();
    assertThat(root.resolve("github-jobs/tests/json/" + key("divides").id() + ".json"))
        .doesNotExist();
  }

  @Test
  void aRebuildFromTheFilesGivesTheSameBytes() throws Exception {
    try (Site site = open(10)) {
      store(site, "1", C1, unit());
      store(site, "3", C3, unit("divides", "<script>alert(1)</script>"));
      store(site, "2", C2, unit("divides")); // late: an older run after a newer one
      store(site, "4", C3, unit());
    }
    Map<String, byte[]> incremental = SiteTrees.snapshot(root);
    try (Stream<Path> files = Files.walk(root)) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        String rel = root.relativize(file).toString();
        if (rel.endsWith(".html") || rel.contains("json/")) {
          Files.delete(file);
        }
      }
    }
    try (Site rebuilt = open(10)) {
      assertThat(root.resolve("index.html")).isRegularFile();
    }
    Map<String, byte[]> regenerated = SiteTrees.snapshot(root);
    assertThat(regenerated.keySet()).containsExactlyElementsOf(incremental.keySet());
    assertThat(incremental.keySet()).anyMatch(p -> p.startsWith("github-jobs/tests/json/"));
    for (String page : incremental.keySet()) {
      assertThat(new String(regenerated.get(page), StandardCharsets.UTF_8))
          .as(page)
          .isEqualTo(new String(incremental.get(page), StandardCharsets.UTF_8));
    }
    assertThat(testPage("divides")).contains("tag flaky");
  }

  @Test
  void aTableOfAMillionRowsIsRefusedAndKeepsNoHistory() throws Exception {
    // A table the worker would never write (it stops at 200,000 tests), stored by hand.
    JobRef ref = ref("1", "cpp");
    ByteArrayOutputStream zip = new ByteArrayOutputStream();
    try (ZipOutputStream out = new ZipOutputStream(zip)) {
      out.putNextEntry(new ZipEntry(SiteLayout.TEST_RESULTS));
      Writer w = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8));
      TestTable.writeHeader(w);
      for (int i = 0; i < 1_000_000; i++) {
        w.write("unit\tSuite\tcase " + i + "\tfail\t0.001\t\tout/r.xml\t1\n");
      }
      w.flush();
      out.closeEntry();
    }
    Files.createDirectories(root.resolve("github-jobs/1"));
    Files.write(root.resolve(ref.file(JobFile.WWZ)), zip.toByteArray());
    Map<String, String> values = new LinkedHashMap<>();
    values.put(JobMeta.JOB_NAME, "cpp");
    values.put(JobMeta.COMMIT_HASH, C1);
    values.putAll(TestCounts.NONE.metaValues());
    JobMeta meta = new JobMeta(new LinkedHashMap<>(values));
    List<TaskRow> tasks = List.of(row("unit", 1, 3));
    Files.writeString(root.resolve(ref.file(JobFile.TSV)), TaskRows.format(tasks));
    Files.write(root.resolve(ref.file(JobFile.JSON)), JobMetaCodec.format(meta));

    long start = System.nanoTime();
    try (Site site = open(10)) {
      site.jobStored(ref, meta, tasks);
      JobFacts facts =
          java.util.Objects.requireNonNull(
              SiteTrees.job(SiteTrees.run(site, WorkerHost.GITHUB, "1"), "cpp").stored());
      assertThat(facts.tests().results().size()).isZero();
      assertThat(site.index().testPages(WorkerHost.GITHUB)).isEmpty();
    }
    assertThat((System.nanoTime() - start) / 1_000_000_000).isLessThan(60);
    assertThat(read(root, "github-jobs/1/index.html")).contains("has more than 210000 rows");
    assertThat(root.resolve("github-jobs/tests")).doesNotExist();
  }

  @Test
  void aJobsResultsSurviveASnapshotRoundTrip() throws Exception {
    JobTests.Builder builder = new JobTests.Builder("cpp");
    unit("divides").forEach(builder::add);
    builder.add(TestJobs.test("unit", "adds", TestStatus.FAIL, 2)); // named twice: worst kept
    builder.add(TestJobs.test("unit", "slow", TestStatus.SKIP, -1));
    JobTests tests = builder.build();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    tests.writeTo(new DataOutputStream(bytes));

    JobTests read =
        JobTests.readFrom(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));

    assertThat(read).isEqualTo(tests);
    assertThat(read.size()).isEqualTo(4);
    int adds = read.find(key("adds"));
    assertThat(read.status(adds)).isEqualTo(TestStatus.FAIL);
    assertThat(read.millis(adds)).isEqualTo(2000);
    assertThat(read.millis(read.find(TestKey.of("cpp", "unit", "Suite", "slow")))).isEqualTo(-1);
    assertThat(read.find(TestKey.of("cpp", "unit", "Suite", "nope"))).isEqualTo(-1);
  }
}
