package io.soilci.worker.run;

import io.soilci.files.AtomicFiles;
import io.soilci.result.JobFile;
import io.soilci.result.JobName;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A job's three files in the output folder, each written to a temp file, synced and renamed into
 * place, {@code JOB.json} last: its presence means the job's files are complete.
 */
final class JobFiles {
  private final Path dir;
  private final JobName job;

  JobFiles(Path dir, JobName job) {
    this.dir = dir;
    this.job = job;
  }

  Path wwz() {
    return dir.resolve(JobFile.WWZ.fileName(job));
  }

  Path tsv() {
    return dir.resolve(JobFile.TSV.fileName(job));
  }

  Path json() {
    return dir.resolve(JobFile.JSON.fileName(job));
  }

  /** Removes an earlier run's files, JSON first, so they never mix with this run's. */
  void removeOld() throws IOException {
    Files.deleteIfExists(json());
    Files.deleteIfExists(tsv());
    Files.deleteIfExists(wwz());
  }

  /** Something that writes a whole file at the path it is given. */
  interface Writer<T> {
    T writeTo(Path file) throws IOException;
  }

  /** Writes {@code target} through a temp file beside it, then renames it into place. */
  <T> T write(Path target, Writer<T> writer) throws IOException {
    Path temp = AtomicFiles.createTemp(target);
    try {
      T result = writer.writeTo(temp);
      AtomicFiles.commit(temp, target);
      return result;
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  void write(Path target, byte[] bytes) throws IOException {
    write(
        target,
        file -> {
          Files.write(file, bytes);
          return bytes.length;
        });
  }
}
