package io.soilci.server.cluster;

import io.soilci.result.JobFile;
import io.soilci.result.JobRef;
import io.soilci.server.upload.StoredJob;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * An upload received into temp files on this replica, not committed yet: {@link SiteChanges#store}
 * commits it here (a single box) or hands its files to the change stream's path (the distributed
 * mode).
 */
public interface StagedUpload {
  /** Told of a job once its files are durable here, still under the job's lock. */
  @FunctionalInterface
  interface Committed {
    void stored(StoredJob job) throws IOException;
  }

  /** The job this upload is of. */
  JobRef ref();

  /**
   * Validates the files and commits them here through the commit journal; with a JSON file the job
   * is complete and {@code committed} is told.
   */
  Optional<StoredJob> commit(Committed committed) throws IOException;

  /**
   * Validates the files and checks, under the job's lock, that they may be written; the synced temp
   * files are then the caller's (to commit or delete). An upload that completes no job (a wwz or
   * tsv without a JSON file sent or stored) gives nothing, and its files stay the upload's.
   */
  Optional<Released> release() throws IOException;

  /**
   * A checked upload: the job it makes and its temp files (beside their targets), of one to three
   * kinds.
   */
  record Released(StoredJob job, Map<JobFile, Path> files) {
    public Released {
      files = Map.copyOf(files);
    }
  }
}
