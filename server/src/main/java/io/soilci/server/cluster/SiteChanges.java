package io.soilci.server.cluster;

import io.soilci.result.JobName;
import io.soilci.result.JobRef;
import io.soilci.result.RunId;
import io.soilci.result.TaskName;
import io.soilci.result.TaskRow;
import io.soilci.result.WorkerHost;
import io.soilci.server.http.HttpError;
import io.soilci.server.site.Site;
import io.soilci.server.upload.ResultStore;
import io.soilci.server.upload.StoredJob;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where the site changes on a request: each change is made a {@link Change}, applied
 * to this replica's site ({@link ChangeApplier}, exactly as every other replica applies it) and
 * handed to the {@link Replication}. On a single box that is all; in the distributed mode a change
 * that the stream did not acknowledge answers 503 (the worker retries), though it was applied here.
 */
public final class SiteChanges {
  private static final Logger LOG = LoggerFactory.getLogger(SiteChanges.class);
  private static final int RETRY_AFTER_SECONDS = 5;

  private final Site site;
  private final ChangeApplier applier;
  private final Replication replication;
  private final Clock clock;
  private final long heardEveryMillis;
  private final Map<JobRef, Long> heardSent = new ConcurrentHashMap<>();

  /**
   * Changes of {@code site} (whose job files {@code store} keeps), replicated by {@code
   * replication}; a live log chunk is published at most once per {@code heardEveryMillis} per job.
   */
  public SiteChanges(
      Site site, ResultStore store, Replication replication, Clock clock, long heardEveryMillis) {
    this.site = site;
    this.applier = new ChangeApplier(site, store);
    this.replication = replication;
    this.clock = clock;
    this.heardEveryMillis = heardEveryMillis;
  }

  /** The site the changes apply to. */
  public Site site() {
    return site;
  }

  /** A job started ({@link Site#jobStarted(JobRef, Instant, Map, boolean)}). */
  public void jobStarted(JobRef job, Map<String, String> facts, boolean statusOnEnd)
      throws IOException {
    apply(ChangeApplier.start(replication.origin(), job, now(), facts, statusOnEnd));
  }

  /** A running job started a task. */
  public void taskStarted(JobRef job, TaskName task) throws IOException {
    apply(ChangeApplier.taskStart(replication.origin(), job, now(), task));
  }

  /** A running job finished a task. */
  public void taskFinished(JobRef job, TaskRow row) throws IOException {
    apply(ChangeApplier.taskDone(replication.origin(), job, now(), row));
  }

  /** A job is done ({@link Site#jobDone(JobRef, int, boolean, RunId, String)}). */
  public void jobDone(
      JobRef job, int status, boolean updateStatusApi, @Nullable RunId statusRunId, String note)
      throws IOException {
    heardSent.remove(job);
    apply(
        ChangeApplier.done(
            replication.origin(), job, now(), status, updateStatusApi, statusRunId, note));
  }

  /**
   * The job's worker spoke (a live log chunk): applied here at once; published at most once per
   * {@code heardEveryMillis}, so the replica that runs the job-lease timer hears of it.
   */
  public void heard(JobRef job) throws IOException {
    long at = now();
    site.heard(job, at);
    Long sent = heardSent.get(job);
    if (sent == null || at - sent >= heardEveryMillis) {
      heardSent.put(job, at);
      publish(ChangeApplier.heard(replication.origin(), job, at));
    }
  }

  /**
   * Called before an upload's commit: waits until this replica applied every change acknowledged so
   * far (503 when it cannot), and gives the upload's time, which {@link #jobStored} applies and
   * {@link #publishStored} sends.
   */
  public Instant beginUpload() {
    catchUp("an upload");
    return clock.instant();
  }

  private void catchUp(String what) {
    try {
      replication.awaitCaughtUp();
    } catch (IOException e) {
      throw HttpError.busy(
          what + " is not taken now: " + e.getMessage() + "; send it again", RETRY_AFTER_SECONDS);
    }
  }

  /** A job's files are committed here (under the job's lock): the site is told. */
  public void jobStored(StoredJob job, Instant at) throws IOException {
    site.jobStored(job.ref(), job.meta(), job.rows(), at);
  }

  /**
   * After the commit, before the answer: the job's files and the change go to every replica. 503
   * when that fails: the worker sends the upload again.
   */
  public void publishStored(JobRef job, Instant at) {
    try {
      replication.stored(job, at);
    } catch (IOException e) {
      throw notAcknowledged(job.toString(), e);
    }
  }

  /** Status files of {@code jobs} uploaded through {@code /wwup} for status run {@code run}. */
  public void statusFiles(WorkerHost host, RunId run, Map<String, byte[]> files, List<JobName> jobs)
      throws IOException {
    apply(ChangeApplier.statusFiles(replication.origin(), host, run, clock.millis(), files, jobs));
  }

  /** The files of a run were put in place by {@code /wwup} ({@link Site#runStored}). */
  public void runStored(WorkerHost host, RunId run) throws IOException {
    apply(ChangeApplier.runStored(replication.origin(), host, run, now()));
  }

  /**
   * The job-lease timer (run by one replica) found {@code job} silent: it ends as lost here and, in
   * the distributed mode, on every replica.
   */
  public void lost(JobRef job, long lastMillis, long nowMillis) throws IOException {
    Change change = ChangeApplier.lost(replication.origin(), job, lastMillis, nowMillis);
    applier.apply(change);
    try {
      replication.publish(change);
    } catch (IOException e) {
      LOG.warn("{}: declared lost here, but not published to the other replicas: {}", job, e);
    }
  }

  private long now() {
    return clock.millis();
  }

  private void apply(Change change) throws IOException {
    catchUp(change.kind() + " of " + change.job());
    applier.apply(change);
    publish(change);
  }

  private void publish(Change change) {
    try {
      replication.publish(change);
    } catch (IOException e) {
      throw notAcknowledged(change.job(), e);
    }
  }

  private static HttpError notAcknowledged(String what, IOException e) {
    return HttpError.busy(
        what
            + ": applied on this replica, but not acknowledged by the change stream ("
            + e.getMessage()
            + "): send it again",
        RETRY_AFTER_SECONDS);
  }
}
