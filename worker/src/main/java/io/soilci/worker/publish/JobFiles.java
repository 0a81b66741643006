package io.soilci.worker.publish;

import io.soilci.result.BadInput;
import io.soilci.result.JobName;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A packaged job's three files side by side: {@code DIR/JOB.wwz}, {@code .tsv}, {@code .json}. */
record JobFiles(Path dir, JobName job) {
  /** The extensions in upload order: the JSON last, since its presence means "job done". */
  public static final List<String> EXTENSIONS = List.of(".wwz", ".tsv", ".json");

  /** Parses {@code DIR/JOB} (a trailing extension is accepted and dropped). */
  public static JobFiles parse(String dirAndJob) {
    Path path = Path.of(dirAndJob);
    Path fileName = path.getFileName();
    if (fileName == null) {
      throw new BadInput("job files '" + dirAndJob + "' must be DIR/JOB, e.g. _tmp/soil/my-job");
    }
    String name = fileName.toString();
    for (String extension : EXTENSIONS) {
      if (name.endsWith(extension)) {
        name = name.substring(0, name.length() - extension.length());
      }
    }
    Path parent = path.toAbsolutePath().getParent();
    return new JobFiles(parent == null ? Path.of("/") : parent, new JobName(name));
  }

  public Path file(String extension) {
    return dir.resolve(job.value() + extension);
  }

  public Path wwz() {
    return file(".wwz");
  }

  public Path tsv() {
    return file(".tsv");
  }

  public Path json() {
    return file(".json");
  }

  /** Fails with one line naming every missing file, before anything is sent. */
  public JobFiles requireAll() {
    List<String> missing = new ArrayList<>();
    for (String extension : EXTENSIONS) {
      if (!Files.isRegularFile(file(extension))) {
        missing.add(file(extension).toString());
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
