package io.soilci.result;

/**
 * One job of one run on one kind of host; {@link SiteLayout} says where its files live under the
 * site root.
 */
public record JobRef(WorkerHost host, RunId run, JobName job) {
  /** The run's folder relative to the site root, e.g. {@code github-jobs/4101}. */
  public String runDir() {
    return SiteLayout.runDir(host, run);
  }

  /** A file of this job relative to the site root, e.g. {@code github-jobs/4101/JOB.wwz}. */
  public String file(JobFile file) {
    return SiteLayout.jobFile(this, file);
  }

  @Override
  public String toString() {
    return runDir() + "/" + job.value();
  }
}
