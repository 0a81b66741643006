package io.soilci.server.cluster;

import io.soilci.collections.Lru;
import io.soilci.result.JobName;
import io.soilci.result.JobRef;
import io.soilci.result.RunId;
import io.soilci.result.TaskName;
import io.soilci.result.TaskRow;
import io.soilci.result.WorkerHost;
import io.soilci.server.http.HttpError;
import io.soilci.server.http.Metrics;
import io.soilci.server.site.Site;
import io.soilci.server.upload.ResultStore;
import io.soilci.server.upload.StoredJob;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where the site changes on a request: each change is made a {@link Change} and
 * handed to the {@link Replication}. On a single box it is applied here at once ({@link
 * ChangeApplier}); in the distributed mode it is published first and applied by this replica's feed
 * at its place in the stream, exactly as every other replica applies it, and the request answers
 * once that is done; a change the stream did not acknowledge was applied nowhere (503, the worker
 * sends it again).
 */
public final class SiteChanges {
  private static final Logger LOG = LoggerFactory.getLogger(SiteChanges.class);
  private static final int RETRY_AFTER_SECONDS = 5;

  private final Site site;
  private final ChangeApplier applier;
  private final Replication replication;
  private final Clock clock;
  private final long heardEveryMillis;

  /** How many jobs' last published word {@link #heard} remembers at most. */
  static final int MAX_HEARD = 4096;

  /**
   * When each job's worker's word was last published; a worker may name any job in its chunks, so
   * only the {@link #MAX_HEARD} heard most recently are kept (a job forgotten is published again at
   * its next chunk). Guarded by itself.
   */
  private final Map<JobRef, Long> heardSent = Lru.map(MAX_HEARD);

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
    synchronized (heardSent) {
      heardSent.remove(job);
    }
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
    boolean due;
    synchronized (heardSent) {
      Long sent = heardSent.get(job);
      due = sent == null || at - sent >= heardEveryMillis;
      if (due) {
        heardSent.put(job, at);
      }
    }
    if (due) {
      publish(ChangeApplier.heard(replication.origin(), job, at));
    }
  }

  /** How many jobs' last published word is remembered now. */
  int heardRemembered() {
    synchronized (heardSent) {
      return heardSent.size();
    }
  }

  /**
   * Called before an upload's commit: waits until this replica applied every change acknowledged so
   * far (503 when it cannot), and gives the upload's time, which {@link #store} applies.
   */
  public Instant beginUpload() {
    try {
      replication.awaitCaughtUp();
    } catch (Replication.NotApplied e) {
      throw HttpError.busy(
          "an upload is not taken now: " + e.getMessage() + "; send it again", RETRY_AFTER_SECONDS);
    }
    return clock.instant();
  }

  /**
   * Commits {@code upload} at {@code at} (from {@link #beginUpload}): on a single box here, the
   * site's update timed by {@code metrics}; in the distributed mode through the change stream (503
   * when its files or its change were not taken, or this replica did not apply it in time). Empty
   * when the upload completes no job.
   */
  public Optional<StoredJob> store(StagedUpload upload, Instant at, Metrics metrics)
      throws IOException {
    try {
      return replication.store(
          upload,
          at,
          job ->
              metrics.timeSiteUpdate(() -> site.jobStored(job.ref(), job.meta(), job.rows(), at)));
    } catch (Replication.NotApplied e) {
      throw notApplied("an upload", e);
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
    try {
      replication.apply(change, applier);
    } catch (Replication.NotApplied e) {
      LOG.warn("{}: not declared lost now, the timer tries again: {}", job, e.getMessage());
    }
  }

  private long now() {
    return clock.millis();
  }

  private void apply(Change change) throws IOException {
    try {
      replication.apply(change, applier);
    } catch (Replication.NotApplied e) {
      throw notApplied(change.kind() + " of " + change.job(), e);
    }
  }

  private void publish(Change change) {
    try {
      replication.publish(change);
    } catch (IOException e) {
      throw HttpError.busy(
          change.kind()
              + " of "
              + change.job()
              + ": applied on this replica, but not acknowledged by the change stream ("
              + e.getMessage()
              + "): send it again",
          RETRY_AFTER_SECONDS);
    }
  }

  private static HttpError notApplied(String what, Replication.NotApplied e) {
    return HttpError.busy(
        what + ": not applied: " + e.getMessage() + "; send it again", RETRY_AFTER_SECONDS);
  }
}
