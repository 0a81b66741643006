package io.soilci.server.site;

import io.soilci.files.AtomicFiles;
import io.soilci.result.JobRef;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Soil's status API file, {@code status-api/HOST/RUN_ID/JOB.status.txt}: one line, {@code "<status>
 * <job id>"}, where the job id is the done time as Soil writes it ({@code 2026-11-20__10-07-00}).
 * maybe-merge reads the first field. Written when a done event asks for it; a stored fact, not a
 * page, so a rebuild leaves it alone.
 */
final class StatusFiles {
  private static final DateTimeFormatter JOB_ID =
      DateTimeFormatter.ofPattern("yyyy-MM-dd__HH-mm-ss").withZone(ZoneOffset.UTC);

  private StatusFiles() {}

  static String path(JobRef job, String statusRunId) {
    return "status-api/" + job.host().id() + "/" + statusRunId + "/" + job.job() + ".status.txt";
  }

  static void write(Path root, JobRef job, String statusRunId, int status, Instant at)
      throws IOException {
    String line = status + " " + JOB_ID.format(at) + "\n";
    AtomicFiles.write(root.resolve(path(job, statusRunId)), line.getBytes(StandardCharsets.UTF_8));
  }
}
