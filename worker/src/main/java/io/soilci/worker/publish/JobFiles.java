package io.soilci.worker.publish;

import io.soilci.result.BadInput;
import io.soilci.result.JobFile;
import io.soilci.result.JobName;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A packaged job's three files side by side: {@code DIR/JOB.wwz}, {@code .tsv}, {@code .json}. */
record JobFiles(Path dir, JobName job) {
  /** Parses {@code DIR/JOB} (a trailing extension is accepted and dropped). */
  public static JobFiles parse(String dirAndJob) {
    Path path = Path.of(dirAndJob);
    Path fileName = path.getFileName();
    if (fileName == null) {
      throw new BadInput("job files '" + dirAndJob + "' must be DIR/JOB, e.g. _tmp/soil/my-job");
    }
    String name = JobFile.stem(fileName.toString());
    Path parent = path.toAbsolutePath().getParent();
    return new JobFiles(parent == null ? Path.of("/") : parent, new JobName(name));
  }

  /** One of the files; {@link JobFile#values()} is their upload order, the JSON last. */
  public Path file(JobFile file) {
    return dir.resolve(file.fileName(job));
  }

  public Path wwz() {
    return file(JobFile.WWZ);
  }

  public Path tsv() {
    return file(JobFile.TSV);
  }

  public Path json() {
    return file(JobFile.JSON);
  }

  /** Fails with one line naming every missing file, before anything is sent. */
  public JobFiles requireAll() {
    List<String> missing = new ArrayList<>();
    for (JobFile kind : JobFile.values()) {
      if (!Files.isRegularFile(file(kind))) {
        missing.add(file(kind).toString());
      }
    }
    if (!missing.isEmpty()) {
      throw new BadInput(
          "cannot publish "
              + job
              + ": missing "
              + String.join(", ", missing)
              + " (run-job writes all three; check DIR/JOB)");
    }
    return this;
  }
}
