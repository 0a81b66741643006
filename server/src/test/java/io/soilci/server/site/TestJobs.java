package io.soilci.server.site;

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
import io.soilci.result.WwzPath;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.jspecify.annotations.Nullable;

/**
 * Jobs with a test table and task logs in their wwz, stored as an upload would: for the history,
 * flaky and "since the last green run" tests.
 */
final class TestJobs {
  private TestJobs() {}

  static TestResult test(String task, String name, TestStatus status, double seconds) {
    return new TestResult(
        new TaskName(task), "Suite", name, status, seconds, "", "out/report.xml", 1);
  }

  /**
   * Stores job {@code ref} on {@code commit} of {@code branch} with {@code tests}; each task of
   * {@code tasks} gets a log from {@code logs} (by task name, else one line).
   */
  static void store(
      Site site,
      Path root,
      JobRef ref,
      String commit,
      String branch,
      long start,
      List<TaskRow> tasks,
      List<TestResult> tests,
      Map<String, String> logs)
      throws IOException {
    Map<String, @Nullable String> values = new LinkedHashMap<>();
    values.put(JobMeta.JOB_NAME, ref.job().value());
    values.put(JobMeta.COMMIT_HASH, commit);
    values.put(JobMeta.COMMIT_LINE, "subject of " + commit.substring(0, 7));
    values.put(JobMeta.COMMIT_DATE, "2026-11-20T10:00:01+00:00");
    values.put(JobMeta.TASK_RUN_START_TIME, Long.toString(start));
    values.put(JobMeta.GITHUB_REF, "refs/heads/" + branch);
    TestCounts counts = TestCounts.NONE;
    for (TestResult t : tests) {
      counts = counts.with(t.status());
    }
    if (!tests.isEmpty()) {
      values.putAll(counts.metaValues());
    }
    JobMeta meta = new JobMeta(values);
    ByteArrayOutputStream zip = new ByteArrayOutputStream();
    try (ZipOutputStream out = new ZipOutputStream(zip)) {
      if (!tests.isEmpty()) {
        out.putNextEntry(new ZipEntry(SiteLayout.TEST_RESULTS));
        Writer writer = new OutputStreamWriter(out, StandardCharsets.UTF_8);
        TestTable.writeHeader(writer);
        for (TestResult t : tests) {
          TestTable.write(writer, t);
        }
        writer.flush();
        out.closeEntry();
      }
      for (TaskRow task : tasks) {
        out.putNextEntry(new ZipEntry(WwzPath.logOf(task.name())));
        String log = logs.getOrDefault(task.name().value(), task.name() + " ran\n");
        out.write(log.getBytes(StandardCharsets.UTF_8));
        out.closeEntry();
      }
    }
    AtomicFiles.write(root.resolve(ref.file(JobFile.WWZ)), zip.toByteArray());
    AtomicFiles.write(
        root.resolve(ref.file(JobFile.TSV)),
        TaskRows.format(tasks).getBytes(StandardCharsets.UTF_8));
    AtomicFiles.write(root.resolve(ref.file(JobFile.JSON)), JobMetaCodec.format(meta));
    site.jobStored(ref, meta, tasks);
  }

  /** Tests named {@code names}, all passing but those in {@code failing}. */
  static List<TestResult> tests(String task, List<String> names, List<String> failing) {
    List<TestResult> out = new ArrayList<>();
    for (String name : names) {
      out.add(test(task, name, failing.contains(name) ? TestStatus.FAIL : TestStatus.PASS, 0.125));
    }
    return out;
  }
}
