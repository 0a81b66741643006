package io.soilci.server.site;

import io.soilci.result.JobMeta;
import io.soilci.result.JobRef;
import io.soilci.result.TaskName;
import io.soilci.result.TaskRow;
import java.io.IOException;
import java.time.Instant;
import java.util.List;

/**
 * The site: an in-memory index of every run and job, kept in step with the files under the site
 * root, and the pages rendered from it. Each change re-renders only the pages it affects, each
 * written atomically. Safe for concurrent callers.
 *
 * <p>SKELETON: the server-site work fills this in; the method set is the contract the HTTP handlers
 * code against.
 */
public final class Site {
  private Site() {}

  /** Reads every stored job under {@code settings.root()} into the index. */
  public static Site open(SiteSettings settings) throws IOException {
    throw new UnsupportedOperationException("not built yet");
  }

  /** A job started: pages show it as running. */
  public void jobStarted(JobRef job, Instant at) throws IOException {
    throw new UnsupportedOperationException("not built yet");
  }

  /** A running job started a task. */
  public void taskStarted(JobRef job, TaskName task, Instant at) throws IOException {
    throw new UnsupportedOperationException("not built yet");
  }

  /** A running job finished a task. */
  public void taskFinished(JobRef job, TaskRow row) throws IOException {
    throw new UnsupportedOperationException("not built yet");
  }

  /**
   * A job's files ({@code .wwz}, {@code .tsv}, then {@code .json}) are durable in place; {@code
   * meta} and {@code tasks} are what they hold.
   */
  public void jobStored(JobRef job, JobMeta meta, List<TaskRow> tasks) throws IOException {
    throw new UnsupportedOperationException("not built yet");
  }

  /**
   * A job is done with {@code status}; with {@code updateStatusApi} its status file is written
   * under {@code status-api/HOST/STATUS_RUN_ID/JOB.status.txt}.
   */
  public void jobDone(JobRef job, int status, boolean updateStatusApi) throws IOException {
    throw new UnsupportedOperationException("not built yet");
  }

  /** Rebuilds every page from the files alone (the {@code regen} command). */
  public void regenerateAll() throws IOException {
    throw new UnsupportedOperationException("not built yet");
  }
}
