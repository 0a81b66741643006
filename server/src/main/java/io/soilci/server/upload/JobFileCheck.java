package io.soilci.server.upload;

import io.soilci.result.BadInput;
import io.soilci.result.JobMeta;
import io.soilci.result.JobMetaCodec;
import io.soilci.result.JobName;
import io.soilci.result.SiteLayout;
import io.soilci.result.TaskRow;
import io.soilci.result.TaskRows;
import io.soilci.server.config.Limits;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
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
   * The rows of an uploaded task table, whose lines must end with LF alone ({@link
   * #requireLineFeeds}).
   */
  List<TaskRow> uploadedRows(Path file, String source) throws IOException {
    requireLineFeeds(file, source, "upload it again");
    return rows(file, source);
  }

  /**
   * Refuses a task table with a CR, naming its line: its lines must end with LF alone, as Soil's
   * worker writes them ({@code time-tsv}, and {@code time_.py --tsv} with {@code
   * lineterminator='\n'}), so the stored {@code J.tsv} is the table every Soil tool reads the same.
   * Checked for what comes in (an upload, {@code ingest}); a table stored before (by hand, or by an
   * older version) is still read as it is. {@code retry} says how to send the converted file.
   */
  static void requireLineFeeds(Path file, String source, String retry) throws IOException {
    try (InputStream in = new BufferedInputStream(Files.newInputStream(file))) {
      long line = 1;
      long read = 0;
      for (int b = in.read(); b >= 0 && read <= TaskRows.MAX_BYTES; b = in.read(), read++) {
        if (b == '\n') {
          line++;
        } else if (b == '\r') {
          int after = in.read();
          throw new BadInput(
              source
                  + " line "
                  + line
                  + (after == '\n'
                      ? " ends with CR LF (\"\\r\\n\")"
                      : " has a CR (\"\\r\") character")
                  + ": Soil's task table ends each line with LF (\"\\n\") alone, as its worker"
                  + " writes it; convert the file (e.g. dos2unix "
                  + source
                  + ") and "
                  + retry);
        }
      }
    }
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
