package io.soilci.worker;

import io.soilci.result.JobMeta;
import io.soilci.result.JobMetaCodec;
import io.soilci.result.TaskName;
import io.soilci.result.TaskRow;
import io.soilci.result.TaskRows;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.jspecify.annotations.Nullable;

/** Writes a packaged job (a real zip, TSV and JSON) as run-job would, for publishing tests. */
public final class JobFixture {
  private JobFixture() {}

  /** Writes {@code dir/job.wwz|.tsv|.json} with one task per status; returns {@code dir/job}. */
  public static Path write(Path dir, String job, String runNumber, int... statuses)
      throws IOException {
    List<TaskRow> rows = new ArrayList<>();
    for (int i = 0; i < statuses.length; i++) {
      rows.add(new TaskRow(statuses[i], 1.5 + i, new TaskName("task" + i), "sh", "run", "-"));
    }
    Files.createDirectories(dir);
    Files.writeString(dir.resolve(job + ".tsv"), TaskRows.format(rows));
    Map<String, @Nullable String> meta = new LinkedHashMap<>();
    meta.put(JobMeta.JOB_NAME, job);
    meta.put(JobMeta.COMMIT_HASH, "0123456789abcdef0123456789abcdef01234567");
    meta.put(JobMeta.COMMIT_LINE, "A commit");
    meta.put(JobMeta.TASK_RUN_START_TIME, "1700000000");
    meta.put(JobMeta.GITHUB_RUN_NUMBER, runNumber);
    meta.put(JobMeta.GITHUB_RUN_ID, "99" + runNumber);
    Files.write(dir.resolve(job + ".json"), JobMetaCodec.format(new JobMeta(meta)));
    try (OutputStream file = Files.newOutputStream(dir.resolve(job + ".wwz"));
        ZipOutputStream zip = new ZipOutputStream(file)) {
      zip.putNextEntry(new ZipEntry("index.html"));
      zip.write("<a href=\"_tmp/soil/INDEX.tsv\">index</a>".getBytes(StandardCharsets.UTF_8));
      zip.putNextEntry(new ZipEntry("_tmp/soil/INDEX.tsv"));
      zip.write(TaskRows.format(rows).getBytes(StandardCharsets.UTF_8));
      for (TaskRow row : rows) {
        zip.putNextEntry(new ZipEntry(row.logPath()));
        zip.write(("log of " + row.name() + "\n").getBytes(StandardCharsets.UTF_8));
      }
    }
    return dir.resolve(job);
  }
}
