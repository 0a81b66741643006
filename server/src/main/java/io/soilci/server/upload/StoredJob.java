package io.soilci.server.upload;

import io.soilci.result.JobMeta;
import io.soilci.result.JobRef;
import io.soilci.result.TaskRow;
import java.util.List;

/** A job whose files are durable under the site root, and what they hold. */
public record StoredJob(JobRef ref, JobMeta meta, List<TaskRow> rows) {
  public StoredJob {
    rows = List.copyOf(rows);
  }
}
