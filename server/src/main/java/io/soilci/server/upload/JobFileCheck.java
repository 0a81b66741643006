package io.soilci.server.upload;

import io.soilci.result.BadInput;
import io.soilci.result.JobMeta;
import io.soilci.result.JobMetaCodec;
import io.soilci.result.JobName;
import io.soilci.result.SiteLayout;
import io.soilci.result.TaskRow;
import io.soilci.result.TaskRows;
import io.soilci.server.config.Limits;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** Validates each of a job's files with the shared codecs before anything is committed. */
final class JobFileCheck {
  private final WwzCheck wwz;

  JobFileCheck(Limits limits) {
    this.wwz = new WwzCheck(limits);
  }

  void wwz(Path file, String source) throws IOException {
    wwz.check(file, source);
  }

  List<TaskRow> rows(Path file, String source) throws IOException {
    return TaskRows.read(file, source);
  }

  /**
   * The metadata, whose {@code job-name} must be {@code expected} and whose ids that become paths
   * must pass {@link SiteLayout#requirePathIds}.
   */
  JobMeta meta(Path file, String source, JobName expected) throws IOException {
    JobMeta meta = JobMetaCodec.read(file, source);
    if (!meta.jobName().equals(expected)) {
      throw new BadInput(
          source
              + ": job-name '"
              + meta.jobName()
              + "' must equal the job's name '"
              + expected
              + "'");
    }
    SiteLayout.requirePathIds(meta, source);
    return meta;
  }
}
