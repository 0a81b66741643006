package io.soilci.result;

/**
 * One job of one run on one kind of host, and where its files live under the site root: {@code
 * github-jobs/RUN/JOB.wwz}, {@code .tsv}, {@code .json}.
 */
public record JobRef(WorkerHost host, RunId run, JobName job) {
  /** The run's folder relative to the site root, e.g. {@code github-jobs/4101}. */
  public String runDir() {
    return host.prefix() + "/" + run.value();
  }

  /** A file of this job relative to the site root; {@code extension} is e.g. {@code .wwz}. */
  public String file(String extension) {
    return runDir() + "/" + job.value() + extension;
  }

  @Override
  public String toString() {
    return runDir() + "/" + job.value();
  }
}
