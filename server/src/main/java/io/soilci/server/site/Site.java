package io.soilci.server.site;

import io.soilci.files.AtomicFiles;
import io.soilci.result.BadInput;
import io.soilci.result.JobFile;
import io.soilci.result.JobMeta;
import io.soilci.result.JobRef;
import io.soilci.result.RunId;
import io.soilci.result.SafeName;
import io.soilci.result.SiteLayout;
import io.soilci.result.TaskName;
import io.soilci.result.TaskRow;
import io.soilci.result.WorkerHost;
import io.soilci.server.hooks.Hooks;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The site: an in-memory index of every run and job, kept in step with the files under the site
 * root, and the pages rendered from it. Each change re-renders only the pages it affects, each
 * written atomically. Safe for concurrent callers.
 */
public final class Site implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Site.class);

  /** Pages written at once; writes mostly wait on fsync. */
  private static final int PAGE_THREADS = 8;

  private final SiteSettings settings;
  private final SiteLayout layout;
  private final SiteIndex index;
  private final PageWriter pages;
  private final Retention retention;
  private final Hooks hooks;

  private Site(SiteSettings settings, SiteIndex index) {
    this.settings = settings;
    this.layout = new SiteLayout(settings.root());
    this.index = index;
    this.pages = new PageWriter(layout, new PageRenderer(index, settings), PAGE_THREADS);
    this.retention = new Retention(layout, settings.keepRuns());
    this.hooks = new Hooks(settings.hooks());
  }

  /**
   * Reads every stored job under {@code settings.root()} into the index and writes the site's
   * stylesheet and script. A site without a home page yet gets every page; otherwise the pages of
   * each host's newest runs are checked and rewritten where they differ (after a crash).
   */
  public static Site open(SiteSettings settings) throws IOException {
    SiteIndex index = new SiteIndex();
    for (WorkerHost host : WorkerHost.values()) {
      index.load(host, SiteLoader.load(settings.root(), host));
    }
    Site site = new Site(settings, index);
    SiteAssets.write(settings.root());
    if (!Files.exists(new SiteLayout(settings.root()).path(SiteLayout.home()))) {
      site.regenerateAll();
    } else {
      site.refreshRecent();
    }
    return site;
  }

  /** A job started: pages show it as running. */
  public void jobStarted(JobRef job, Instant at) throws IOException {
    apply(
        job,
        old ->
            new JobEntry(
                job.job(),
                old == null ? null : old.stored(),
                RunningJob.startedAt(at.getEpochSecond())));
  }

  /** A running job started a task. */
  public void taskStarted(JobRef job, TaskName task, Instant at) throws IOException {
    apply(job, old -> running(job, old, at).withTaskStartedEntry(task.value(), at));
  }

  /** A running job finished a task. */
  public void taskFinished(JobRef job, TaskRow row) throws IOException {
    apply(job, old -> running(job, old, Instant.now()).withTaskFinishedEntry(row));
  }

  /**
   * A job's files ({@code .wwz}, {@code .tsv}, then {@code .json}) are durable in place; {@code
   * meta} and {@code tasks} are what they hold. The job is done; its running state is dropped.
   */
  public void jobStored(JobRef job, JobMeta meta, List<TaskRow> tasks) throws IOException {
    Path json = layout.path(job.file(JobFile.JSON));
    JobFacts facts = JobFacts.of(meta, tasks, () -> SiteLoader.modified(json)).withName(job.job());
    apply(job, old -> new JobEntry(job.job(), facts, null));
  }

  /**
   * The files of a whole run were put in place by someone else (Soil's uploader, then its {@code
   * run-hook=soil-event-job-done}): reads the run's folder again and applies what changed.
   */
  public void runStored(WorkerHost host, RunId run) throws IOException {
    SiteLayout.requireRunName(run);
    List<RunState> found = SiteLoader.loadRuns(settings.root(), host, List.of(run));
    RunState now = found.isEmpty() ? RunState.empty(run) : found.get(0);
    for (JobEntry job : now.jobs().values()) {
      JobFacts facts = job.stored();
      JobRef ref = new JobRef(host, run, job.name());
      JobEntry known = index.job(ref);
      if (facts != null
          && (known == null || !facts.equals(known.stored()) || known.running() != null)) {
        apply(ref, old -> new JobEntry(job.name(), facts, null));
      }
    }
  }

  /**
   * A job is done with {@code status}; with {@code updateStatusApi} its status file ({@link
   * SiteLayout#statusFile}) is written under the stored job's {@code GITHUB_RUN_ID}, else the job's
   * run.
   */
  public void jobDone(JobRef job, int status, boolean updateStatusApi) throws IOException {
    jobDone(job, status, updateStatusApi, null);
  }

  /**
   * As {@link #jobDone(JobRef, int, boolean)}, with the status API's run id given by the caller
   * (GitHub's {@code GITHUB_RUN_ID}); it wins over the stored one.
   */
  public void jobDone(JobRef job, int status, boolean updateStatusApi, @Nullable RunId statusRunId)
      throws IOException {
    SiteLayout.requirePublishable(job);
    if (status < 0 || status > 255) {
      throw new BadInput("status " + status + " must be 0-255");
    }
    String explicit = statusRunId == null ? "" : statusRunId.value();
    JobEntry known = index.job(job);
    String statusFile = updateStatusApi ? statusFile(job, known, explicit) : "";
    if (known == null || known.inProgress()) {
      // Checked again under the index lock: the files may have been stored meanwhile.
      apply(
          job,
          old ->
              old != null && old.done()
                  ? old
                  : running(job, old, Instant.now()).withDoneEntry(status, explicit));
    }
    if (updateStatusApi) {
      AtomicFiles.write(
          layout.path(statusFile),
          SiteLayout.statusLine(status, Instant.now()).getBytes(StandardCharsets.UTF_8));
    }
  }

  /**
   * The status file of a done job: under the run id the event names, else the stored job's {@code
   * GITHUB_RUN_ID}, else the job's run. Checked before anything changes: a stored id that is no
   * safe name (stored before uploads checked it) is refused, never followed out of the root.
   */
  private static String statusFile(JobRef job, @Nullable JobEntry known, String explicit) {
    String stored = known == null ? "" : known.statusRunId();
    String id = !explicit.isEmpty() ? explicit : stored.isEmpty() ? job.run().value() : stored;
    if (!SafeName.isSafe(id)) {
      SafeName.require("GITHUB_RUN_ID of " + job + " (pass statusRunId to override it)", id);
    }
    return SiteLayout.statusFile(job.host(), id, job.job());
  }

  /**
   * Renders the pages of each host's newest runs and rewrites those that differ from the files: an
   * event cut short by a crash leaves at most those stale. Older pages need {@code regen}.
   */
  private void refreshRecent() throws IOException {
    Set<Page> recent = new LinkedHashSet<>();
    for (WorkerHost host : WorkerHost.values()) {
      recent.addAll(Regeneration.recentPagesOf(index, host, PageRenderer.INDEX_GROUPS));
    }
    recent.add(new Page.Home());
    pages.updateAll(recent);
  }

  /** Rebuilds every page from the index (the {@code regen} command, after {@link #open}). */
  public void regenerateAll() throws IOException {
    SiteAssets.write(settings.root());
    List<Page> all = new ArrayList<>();
    for (WorkerHost host : WorkerHost.values()) {
      all.addAll(Regeneration.pagesOf(index, host));
    }
    all.add(new Page.Home());
    pages.updateAll(all);
  }

  /**
   * The stored jobs whose files break a rule, one line each ({@code github-jobs/7/cpp.json:
   * reason}): pages list them as broken; {@code regen} names them.
   */
  public List<String> brokenJobs() {
    List<String> out = new ArrayList<>();
    for (WorkerHost host : WorkerHost.values()) {
      for (RunState run : index.all(host)) {
        for (JobEntry job : run.jobs().values()) {
          JobFacts facts = job.stored();
          if (facts != null && facts.isBroken()) {
            out.add(facts.broken());
          }
        }
      }
    }
    return out;
  }

  /** Stops the page writers and the hook runner, waiting briefly for running hooks. */
  @Override
  public void close() {
    hooks.close();
    pages.close();
  }

  int writeCount(String path) {
    return pages.writeCount(path);
  }

  SiteIndex index() {
    return index;
  }

  private static JobEntry running(JobRef job, @Nullable JobEntry old, Instant at) {
    if (old != null && old.running() != null) {
      return old;
    }
    RunningJob fresh = RunningJob.startedAt(at.getEpochSecond());
    return new JobEntry(job.job(), old == null ? null : old.stored(), fresh);
  }

  private void apply(JobRef job, UnaryOperator<@Nullable JobEntry> update) throws IOException {
    SiteLayout.requirePublishable(job);
    Change change = index.update(job, update);
    Set<Page> todo = new LinkedHashSet<>(change.pages());
    List<RunState> removed = change.newRun() ? retention.select(index, job.host()) : List.of();
    for (RunState run : removed) {
      todo.addAll(Retention.pagesOf(job.host(), run));
    }
    pages.updateAll(todo);
    for (RunState run : removed) {
      deleteRetired(job.host(), run);
    }
    HookEvents.of(change).forEach(hooks::submit);
  }

  /**
   * Deletes a run retention took out of the index. The change that triggered it is durable and its
   * pages are written, so a failure here (an upload racing into the run's folder) is logged, not
   * answered: the caller's request succeeded.
   */
  private void deleteRetired(WorkerHost host, RunState run) {
    try {
      retention.deleteFiles(host, run);
    } catch (IOException e) {
      LOG.warn(
          "{}/{}: retention could not delete every file: {}",
          host.prefix(),
          run.id(),
          e.toString());
    }
  }
}
