package io.soilci.result;

import java.util.Optional;

/** The three files of a job, in the order they are written and committed: the JSON last. */
public enum JobFile {
  WWZ("wwz"),
  TSV("tsv"),
  JSON("json");

  private final String kind;

  JobFile(String kind) {
    this.kind = kind;
  }

  /** The short name used as an upload's part name: {@code wwz}, {@code tsv}, {@code json}. */
  public String kind() {
    return kind;
  }

  /** The file name's ending: {@code .wwz}, {@code .tsv}, {@code .json}. */
  public String extension() {
    return "." + kind;
  }

  /** This file of {@code job}: {@code JOB.wwz}. */
  public String fileName(JobName job) {
    return job.value() + extension();
  }

  /** The file an upload's part name names: {@code wwz}, {@code tsv} or {@code json}. */
  public static JobFile ofPart(String part) {
    for (JobFile file : values()) {
      if (file.kind.equals(part)) {
        return file;
      }
    }
    throw new BadInput("part '" + Printable.of(part) + "' must be one of wwz, tsv, json");
  }

  /** The kind of a file name by its ending, if it is one of a job's files. */
  public static Optional<JobFile> ofFileName(String name) {
    for (JobFile file : values()) {
      if (name.endsWith(file.extension())) {
        return Optional.of(file);
      }
    }
    return Optional.empty();
  }

  /** {@code name} without its job-file ending, when it has one. */
  public static String stem(String name) {
    return ofFileName(name)
        .map(f -> name.substring(0, name.length() - f.extension().length()))
        .orElse(name);
  }
}
