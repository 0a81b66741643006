package io.soilci.server.site;

import io.soilci.files.AtomicFiles;
import io.soilci.result.JobFile;
import io.soilci.result.JobMeta;
import io.soilci.result.JobMetaCodec;
import io.soilci.result.JobName;
import io.soilci.result.JobRef;
import io.soilci.result.RunId;
import io.soilci.result.SiteLayout;
import io.soilci.result.TaskName;
import io.soilci.result.TaskRow;
import io.soilci.result.TaskRows;
import io.soilci.result.TestCounts;
import io.soilci.result.TestResult;
import io.soilci.result.TestStatus;
import io.soilci.result.TestTable;
import io.soilci.result.WorkerHost;
import io.soilci.result.WwzPath;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.jspecify.annotations.Nullable;

/**
 * The test history benchmark (docs/BENCHMARKS.md, "Test history and since-green"): (1) the heap one
 * kept test result costs ({@link JobTests}), measured as the used heap after GC with and without
 * the results of RUNS × JOBS × TESTS; (2) the time to render the "since the last green run" page
 * of a run of JOBS jobs over RUNS kept runs (real files, read by {@link Site#open}), first (with
 * log diffs) and cached, and its JSON.
 *
 * <p>Usage: {@code TestHistoryBench WORK_DIR [RUNS JOBS TESTS]} (default 500 30 200).
 */
public final class TestHistoryBench {
  private TestHistoryBench() {}

  public static void main(String[] args) throws Exception {
    Path work = Path.of(args[0]);
    int runs = args.length > 1 ? Integer.parseInt(args[1]) : 500;
    int jobs = args.length > 2 ? Integer.parseInt(args[2]) : 30;
    int tests = args.length > 3 ? Integer.parseInt(args[3]) : 200;
    memory(runs, jobs, tests);
    sinceGreen(work, runs, jobs, tests);
  }

  private static long usedAfterGc() throws InterruptedException {
    Runtime rt = Runtime.getRuntime();
    long used = Long.MAX_VALUE;
    for (int i = 0; i < 5; i++) {
      System.gc();
      Thread.sleep(100);
      used = Math.min(used, rt.totalMemory() - rt.freeMemory());
    }
    return used;
  }

  /** The heap of RUNS × JOBS jobs' results, each job with TESTS tests (names shared across runs). */
  private static void memory(int runs, int jobs, int tests) throws InterruptedException {
    long before = usedAfterGc();
    JobTests[] kept = new JobTests[runs * jobs];
    for (int r = 0; r < runs; r++) {
      for (int j = 0; j < jobs; j++) {
        JobTests.Builder b = new JobTests.Builder("job-" + j);
        for (TestResult t : tests(r, tests, r % 10 != 0)) {
          b.add(t);
        }
        kept[r * jobs + j] = b.build();
      }
    }
    long after = usedAfterGc();
    long results = (long) runs * jobs * tests;
    long distinct = (long) jobs * tests;
    System.out.printf(
        Locale.ROOT,
        "history memory: %d runs x %d jobs x %d tests = %,d results (%,d distinct tests): %,d bytes"
            + " more heap, %.2f bytes a result (names included)%n",
        runs,
        jobs,
        tests,
        results,
        distinct,
        after - before,
        (after - before) / (double) results);
    System.out.println("(kept " + kept.length + " jobs' results, " + Arrays.hashCode(kept) % 2 + ")");
  }

  /** {@code count} tests; with {@code failing}, the first 20 fail. */
  private static List<TestResult> tests(int run, int count, boolean failing) {
    List<TestResult> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      boolean fails = i < 20 && failing;
      out.add(
          new TestResult(
              new TaskName(i % 2 == 0 ? "unit" : "spec"),
              "org.example.Suite" + (i / 50),
              "test case number " + i,
              fails ? TestStatus.FAIL : TestStatus.PASS,
              0.001 * (i + run % 7),
              fails ? "expected 2 but was 3" : "",
              "out/report.xml",
              i + 1));
    }
    return out;
  }

  private static void sinceGreen(Path work, int runs, int jobs, int tests) throws Exception {
    Path root = Files.createDirectories(work.resolve("site"));
    long t0 = System.nanoTime();
    for (int r = 1; r <= runs; r++) {
      for (int j = 0; j < jobs; j++) {
        writeJob(root, r, j, tests, runs);
      }
    }
    // A home page already there: open checks the newest pages instead of writing all of them.
    Files.writeString(root.resolve("index.html"), "");
    System.out.printf(
        Locale.ROOT,
        "wrote %d runs x %d jobs in %.1f s%n",
        runs,
        jobs,
        (System.nanoTime() - t0) / 1e9);
    long t1 = System.nanoTime();
    try (Site site =
        Site.open(new SiteSettings(root, runs + 10, Optional.of("https://github.com/o/p")))) {
      System.out.printf(Locale.ROOT, "Site.open: %.1f s%n", (System.nanoTime() - t1) / 1e9);
      RunId last = new RunId(Integer.toString(runs));
      for (int i = 0; i < 3; i++) {
        // Each run renders once (a new cache entry): the newest has 5 log diffs, the others none.
        long s = System.nanoTime();
        RunId run = new RunId(Integer.toString(runs - i));
        byte[] page = site.sinceGreen(WorkerHost.GITHUB, run, false).orElseThrow();
        System.out.printf(
            Locale.ROOT,
            "since-green of run %s (%d jobs, %d runs kept%s): %.0f ms, %,d bytes%n",
            run,
            jobs,
            runs,
            i == 0 ? ", 5 log diffs of 2,000-line logs" : ", no log diff",
            (System.nanoTime() - s) / 1e6,
            page.length);
      }
      long c = System.nanoTime();
      long bytes = 0;
      for (int i = 0; i < 100; i++) {
        bytes += site.sinceGreen(WorkerHost.GITHUB, last, false).orElseThrow().length;
      }
      System.out.printf(
          Locale.ROOT,
          "since-green cached: %.2f ms a request (%,d bytes served)%n",
          (System.nanoTime() - c) / 1e6 / 100,
          bytes);
      long js = System.nanoTime();
      byte[] json = site.sinceGreen(WorkerHost.GITHUB, last, true).orElseThrow();
      System.out.printf(
          Locale.ROOT,
          "since-green JSON: %.0f ms, %,d bytes%n",
          (System.nanoTime() - js) / 1e6,
          json.length);
    }
  }

  /**
   * Every 10th run green up to run 470; the others fail task spec and tests 0-19; the last run
   * fails task unit too (newly failing: its log is diffed).
   */
  private static void writeJob(Path root, int run, int j, int tests, int runs) throws IOException {
    JobRef ref =
        new JobRef(WorkerHost.GITHUB, new RunId(Integer.toString(run)), new JobName("job-" + j));
    boolean green = run % 10 == 0 && run <= runs - 30;
    List<TestResult> rows = tests(run, tests, !green);
    TestCounts counts = TestCounts.NONE;
    for (TestResult t : rows) {
      counts = counts.with(t.status());
    }
    Map<String, @Nullable String> values = new LinkedHashMap<>();
    values.put(JobMeta.JOB_NAME, ref.job().value());
    values.put(JobMeta.COMMIT_HASH, String.format(Locale.ROOT, "%040x", run));
    values.put(JobMeta.COMMIT_LINE, "commit number " + run);
    values.put(JobMeta.TASK_RUN_START_TIME, Long.toString(1_763_600_000L + run * 600L + j));
    values.put(JobMeta.GITHUB_REF, "refs/heads/main");
    values.putAll(counts.metaValues());
    JobMeta meta = new JobMeta(values);
    List<TaskRow> tasks =
        List.of(
            new TaskRow(run == runs ? 1 : 0, 10, new TaskName("unit"), "t/unit.sh", "all", "-"),
            new TaskRow(green ? 0 : 1, 20, new TaskName("spec"), "t/spec.sh", "all", "-"));
    ByteArrayOutputStream zip = new ByteArrayOutputStream();
    try (ZipOutputStream out = new ZipOutputStream(zip)) {
      out.putNextEntry(new ZipEntry(SiteLayout.TEST_RESULTS));
      Writer writer = new OutputStreamWriter(out, StandardCharsets.UTF_8);
      TestTable.writeHeader(writer);
      for (TestResult t : rows) {
        TestTable.write(writer, t);
      }
      writer.flush();
      out.closeEntry();
      for (TaskRow task : tasks) {
        out.putNextEntry(new ZipEntry(WwzPath.logOf(task.name())));
        StringBuilder log = new StringBuilder();
        // Long logs only where a diff reads them: the newest runs.
        int lines = run > runs - 5 ? 2_000 : 50;
        for (int i = 0; i < lines; i++) {
          log.append("[10:").append(run % 60).append(':').append(i % 60).append("] step ").append(i);
          log.append(" in /tmp/build.").append(run).append(" took ").append(i % 97).append(" ms\n");
          if (i == lines * 3 / 4 && task.status() != 0) {
            log.append("error: expected 2 but was 3\n");
          }
        }
        out.write(log.toString().getBytes(StandardCharsets.UTF_8));
        out.closeEntry();
      }
    }
    AtomicFiles.write(root.resolve(ref.file(JobFile.WWZ)), zip.toByteArray());
    AtomicFiles.write(
        root.resolve(ref.file(JobFile.TSV)),
        TaskRows.format(tasks).getBytes(StandardCharsets.UTF_8));
    AtomicFiles.write(root.resolve(ref.file(JobFile.JSON)), JobMetaCodec.format(meta));
  }
}
