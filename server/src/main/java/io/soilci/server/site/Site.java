package io.soilci.server.site;

import io.soilci.files.AtomicFiles;
import io.soilci.result.BadInput;
import io.soilci.result.JobFile;
import io.soilci.result.JobMeta;
import io.soilci.result.JobName;
import io.soilci.result.JobRef;
import io.soilci.result.RunId;
import io.soilci.result.SafeName;
import io.soilci.result.SiteLayout;
import io.soilci.result.TaskName;
import io.soilci.result.TaskRow;
import io.soilci.result.WorkerHost;
import io.soilci.server.hooks.DueHooks;
import io.soilci.server.hooks.HookEvent;
import io.soilci.server.hooks.Hooks;
import io.soilci.server.logview.FailureBriefs;
import io.soilci.server.state.StateLayout;
import io.soilci.threads.Daemons;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Predicate;
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

  /** How the end note of a job whose lease ran out begins. */
  static final String LOST = "lost: ";

  /** The status of a lost job: as for a task the worker could not run. */
  private static final int LOST_STATUS = 255;

  private final SiteSettings settings;
  private final SiteLayout layout;
  private final SiteIndex index;
  private final PageWriter pages;
  private final Retention retention;
  private final Hooks hooks;
  // The jobs whose hooks a change may fire before they are spooled (with a state folder: serve).
  private final @Nullable DueHooks due;
  // Runs whose run-finished another part fires (the coordinator's, once all their jobs ended).
  private volatile Predicate<JobRef> runFinishedElsewhere = job -> false;
  // Set on a thread applying a change whose hooks another replica fires (withHooksElsewhere).
  private final ThreadLocal<Boolean> hooksElsewhere = ThreadLocal.withInitial(() -> false);
  // Set on a thread applying a change of the change stream whose hooks fire here: its place there.
  private final ThreadLocal<String> hookDelivery = new ThreadLocal<>();
  private final Consumer<String> pageChanged;
  // Told of the runs retention deletes (the bucket's copy goes with them).
  private volatile @Nullable RunDeletions runDeletions;
  private final RunLocks locks = new RunLocks();
  private final RunningFiles running;
  private final Leases leases;
  private final PageJournal journal;
  private @Nullable SavedIndex saved;
  private final SinceGreenPages sinceGreen;
  private @Nullable ScheduledExecutorService leaseTimer;
  private LostJobs lostJobs = this::declareLost;

  private Site(
      SiteSettings settings,
      SiteIndex index,
      PageJournal journal,
      Hooks hooks,
      Consumer<String> pageChanged) {
    this.settings = settings;
    this.layout = new SiteLayout(settings.root());
    this.index = index;
    this.journal = journal;
    this.pageChanged = pageChanged;
    this.pages =
        new PageWriter(
            layout, new PageRenderer(index, settings), journal, PAGE_THREADS, pageChanged);
    this.retention = new Retention(layout, settings.keepRuns(), locks);
    this.hooks = hooks;
    this.due = settings.state().map(DueHooks::in).orElse(null);
    this.running = new RunningFiles(layout, index, locks, journal);
    this.leases = new Leases(settings.jobLease());
    this.sinceGreen = new SinceGreenPages(index, layout, new Views(settings.repositoryUrl()));
  }

  /**
   * A run's "since the last green run" page, or its JSON: rendered on request and cached, never
   * written ({@link SinceGreenPages}); empty for a run the index does not know.
   */
  public Optional<byte[]> sinceGreen(WorkerHost host, RunId run, boolean json) {
    return sinceGreen.render(host, run, json);
  }

  /**
   * The locks of the site's runs and jobs: whoever writes a job's files holds its run ({@link
   * RunLocks#use}) and commits under the job's lock, so retention and the index never see a job
   * half replaced.
   */
  public RunLocks locks() {
    return locks;
  }

  /**
   * Reads every stored job under {@code settings.root()} into the index (from the index snapshot
   * where the run folders match it: {@link SavedIndex}) and writes the site's stylesheet and
   * script. A site without a home page yet gets every page. Otherwise the pages the page journal
   * names ({@link PageJournal}) are checked and rewritten where they differ, and so are the pages
   * of the runs whose folders changed since the snapshot or, without a usable snapshot, the pages
   * of each host's newest runs. The run JSON an older version wrote into run folders is deleted
   * ({@link OldRunJson}).
   */
  public static Site open(SiteSettings settings) throws IOException {
    return open(settings, path -> {});
  }

  /**
   * As {@link #open(SiteSettings)}; {@code pageChanged} hears the path (from the site root, e.g.
   * {@code github-jobs/4101/index.html}) of every page and status file written or deleted from then
   * on, right after it is. It must not block: it runs on the page writers' threads.
   */
  public static Site open(SiteSettings settings, Consumer<String> pageChanged) throws IOException {
    SiteLayout layout = new SiteLayout(settings.root());
    SavedIndex saved = SavedIndex.load(settings);
    SiteIndex index = saved.index();
    Optional<StateLayout> state = settings.state();
    PageJournal journal =
        state.isPresent() ? PageJournal.open(layout, state.get()) : PageJournal.none();
    Site site;
    try {
      // With a state folder (serve) hooks are spooled there until they ran: a crash loses none.
      Hooks hooks =
          state.isPresent()
              ? Hooks.spooled(settings.hooks(), state.get(), Hooks.SITE)
              : new Hooks(settings.hooks());
      try {
        site = new Site(settings, index, journal, hooks, pageChanged);
      } catch (RuntimeException | Error e) {
        hooks.close();
        throw e;
      }
    } catch (IOException | RuntimeException | Error e) {
      journal.abandon();
      throw e;
    }
    try {
      site.finishOpening(saved);
    } catch (IOException | RuntimeException | Error e) {
      site.abandon();
      throw e;
    }
    return site;
  }

  /**
   * The rest of {@link #open}: assets, the pages that may differ from the index, then the hooks a
   * crash or stop left spooled.
   */
  private void finishOpening(SavedIndex saved) throws IOException {
    SiteAssets.write(settings.root());
    if (saved.readEveryJob()) {
      OldRunJson.removeAll(layout);
    }
    if (!Files.exists(layout.path(SiteLayout.home()))) {
      regenerateAll();
    } else if (saved.readEveryJob()) {
      refreshRecent();
      pages.updateAll(journal.leftByCrash());
    } else {
      // From the snapshot: only the pages the journal names (a change cut off by a crash) and
      // those of runs whose folders changed while the server was down can differ from the index.
      Set<Page> todo = new LinkedHashSet<>(journal.leftByCrash());
      todo.addAll(Regeneration.pagesOfChanged(index, saved.changes()));
      pages.updateAll(todo);
    }
    journal.sync();
    saved.saveIfStale();
    this.saved = saved;
    fireDueHooks();
    // The hooks a crash or stop left spooled run once the pages they name are current.
    hooks.start();
  }

  /**
   * Fires the hooks of each job a crash left marked in {@link DueHooks} (its change stored, its
   * hooks perhaps not spooled) if the job is done now: as when it finished, and its run's {@code
   * run-finished} if the run is finished too. So they may run twice, never not at all.
   */
  private void fireDueHooks() throws IOException {
    if (due == null) {
      return;
    }
    List<JobRef> left = due.left();
    int fired = 0;
    for (JobRef job : left) {
      RunState run = index.run(job.host(), job.run());
      JobEntry entry = index.job(job);
      if (run != null && entry != null && entry.done()) {
        fire(hookEventsHere(new Change(job, null, run, true, false, List.of())));
        fired++;
      }
      due.clear(job);
    }
    if (!left.isEmpty()) {
      LOG.info(
          "{} jobs were marked by changes a crash cut off before their hooks were spooled; the"
              + " hooks of the {} done now fired",
          left.size(),
          fired);
    }
  }

  /**
   * An opening that failed: its threads (hook pool, page writers, journal passes) stop, and what
   * the hook spool and the page journal hold stays for the next start, as after a crash.
   */
  private void abandon() {
    hooks.close();
    pages.close();
    journal.abandon();
  }

  /**
   * From now on the site fires no {@code run-finished} hook for a job's run when {@code elsewhere}
   * says another part fires it: the coordinator, for a run it was submitted, once every job ended.
   */
  public void runFinishedElsewhere(Predicate<JobRef> elsewhere) {
    this.runFinishedElsewhere = elsewhere;
  }

  /**
   * Runs {@code update}, changes of this site that fire no hook here: the distributed mode fires a
   * change's hooks on the replica that accepted it only, and every other replica applies it with
   * this.
   */
  public void withHooksElsewhere(Update update) throws IOException {
    hooksElsewhere.set(true);
    try {
      update.run();
    } finally {
      hooksElsewhere.remove();
    }
  }

  /**
   * Runs {@code update}, a change of the change stream at {@code change} ({@code STREAM/SEQUENCE})
   * whose hooks fire here: each hook gets {@link HookEvent#DELIVERY}, the same when the change is
   * applied again (a replica replaying the stream after a restart fires its hooks again).
   */
  public void withHookDelivery(String change, Update update) throws IOException {
    hookDelivery.set(change);
    try {
      update.run();
    } finally {
      hookDelivery.remove();
    }
  }

  /** Changes of the site ({@link #withHooksElsewhere}). */
  @FunctionalInterface
  public interface Update {
    void run() throws IOException;
  }

  /** From now on {@code deletions} hears of each run retention deletes. */
  public void onRunDeleted(RunDeletions deletions) {
    this.runDeletions = deletions;
  }

  /**
   * {@code path} (from the site root), a status file stored outside the page writer, was written:
   * the page listener hears it as it hears the pages.
   */
  public void statusFileWritten(String path) {
    pageChanged.accept(path);
  }

  /** A job started: pages show it as running. */
  public void jobStarted(JobRef job, Instant at) throws IOException {
    jobStarted(job, at, Map.of());
  }

  /**
   * A job started on the commit {@code facts} describe (JOB.json's keys: {@code commit-hash},
   * {@code commit-date}, {@code commit-line}, {@code GITHUB_REF}, {@code GITHUB_PR_NUMBER}, {@code
   * GITHUB_PR_HEAD_REF}, {@code GITHUB_PR_HEAD_SHA}, {@code JOB_URL}; checked by JOB.json's rules):
   * pages show it as running, with its commit, branch and subject.
   */
  public void jobStarted(JobRef job, Instant at, Map<String, String> facts) throws IOException {
    jobStarted(job, at, facts, false);
  }

  /**
   * As {@link #jobStarted(JobRef, Instant, Map)}; {@code statusOnEnd}: the worker will write the
   * job's status file ({@code updateStatusApi=1}), so if the job is declared lost the server writes
   * it, and {@code maybe-merge} does not wait for a job that will never report.
   */
  public void jobStarted(JobRef job, Instant at, Map<String, String> facts, boolean statusOnEnd)
      throws IOException {
    Map<String, String> meta = startMeta(job, facts);
    applyOrUndo(
        job,
        old ->
            new JobEntry(
                job.job(),
                old == null ? null : old.stored(),
                RunningJob.startedAt(at.getEpochSecond(), meta, statusOnEnd)),
        at.toEpochMilli());
    leases.rewritten(job, at.toEpochMilli());
  }

  /**
   * The running state's metadata of a start event of {@code job} carrying {@code facts} (JOB.json's
   * keys), checked by JOB.json's rules: 400 naming the event, the key and the rule.
   */
  public static Map<String, String> startMeta(JobRef job, Map<String, String> facts) {
    Map<String, String> meta = new LinkedHashMap<>();
    if (!facts.isEmpty()) {
      meta.put(JobMeta.JOB_NAME, job.job().value());
      meta.putAll(facts);
      try {
        new JobMeta(new LinkedHashMap<>(meta));
      } catch (BadInput e) {
        throw new BadInput("start event of " + job + ": " + e.getMessage(), e);
      }
    }
    return meta;
  }

  /** A running job started a task. */
  public void taskStarted(JobRef job, TaskName task, Instant at) throws IOException {
    requireNotLost(job, "a late task-start event");
    applyOrUndo(
        job,
        old -> running(job, old, at).withTaskStartedEntry(task.value(), at),
        at.toEpochMilli());
    leases.rewritten(job, at.toEpochMilli());
  }

  /** A running job finished a task. */
  public void taskFinished(JobRef job, TaskRow row) throws IOException {
    taskFinished(job, row, Instant.now());
  }

  /**
   * As {@link #taskFinished(JobRef, TaskRow)} at {@code at} (a replica applies the time of the
   * change's origin, so every replica's pages are the same).
   */
  public void taskFinished(JobRef job, TaskRow row, Instant at) throws IOException {
    requireNotLost(job, "a late task-done event");
    applyOrUndo(job, old -> running(job, old, at).withTaskFinishedEntry(row), at.toEpochMilli());
    leases.rewritten(job, at.toEpochMilli());
  }

  /**
   * True while {@code job} runs: started, with neither a done event nor files since, and not
   * declared lost.
   */
  public boolean running(JobRef job) {
    JobEntry known = index.job(job);
    return known != null && known.inProgress();
  }

  /**
   * The job's worker spoke (a live log chunk): its lease is renewed. Throws {@link JobLost} when
   * the job was declared lost.
   */
  public void heard(JobRef job) throws IOException {
    heard(job, System.currentTimeMillis());
  }

  /** As {@link #heard(JobRef)}, at {@code atMillis}. */
  public void heard(JobRef job, long atMillis) throws IOException {
    requireNotLost(job, "a late live log chunk");
    JobEntry known = index.job(job);
    if (known != null && known.inProgress()) {
      leases.heard(job, atMillis, layout.path(SiteLayout.runningFile(job)));
    }
  }

  /**
   * A job's files ({@code .wwz}, {@code .tsv}, then {@code .json}) are durable in place; {@code
   * meta} and {@code tasks} are what they hold. The job is done; its running state is dropped.
   */
  public void jobStored(JobRef job, JobMeta meta, List<TaskRow> tasks) throws IOException {
    jobStored(job, meta, tasks, Instant.now());
  }

  /** As {@link #jobStored(JobRef, JobMeta, List)}, stored at {@code at}. */
  public void jobStored(JobRef job, JobMeta meta, List<TaskRow> tasks, Instant at)
      throws IOException {
    Path json = layout.path(job.file(JobFile.JSON));
    TestSummary tests =
        TestSummary.of(meta, job.job(), layout.path(job.file(JobFile.WWZ)), job.toString());
    JobFacts facts =
        JobFacts.of(
                meta,
                tasks,
                () -> SiteLoader.modified(json),
                tests,
                () ->
                    FailureBriefs.read(
                        layout.path(job.file(JobFile.WWZ)), tasks, settings.errorPatterns()))
            .withName(job.job());
    apply(job, old -> new JobEntry(job.job(), facts, null), false, at.toEpochMilli());
    leases.forget(job);
  }

  /**
   * The files of a whole run were put in place by someone else (Soil's uploader, then its {@code
   * run-hook=soil-event-job-done}): reads the run's folder again and applies what changed.
   */
  public void runStored(WorkerHost host, RunId run) throws IOException {
    SiteLayout.requireRunName(run);
    RunLocks.Hold hold = locks.use(host, run);
    try {
      applyStored(host, run);
    } finally {
      hold.close();
    }
  }

  private void applyStored(WorkerHost host, RunId run) throws IOException {
    List<RunState> found =
        SiteLoader.loadRuns(settings.root(), host, List.of(run), locks, settings.errorPatterns());
    if (found.isEmpty()) {
      return;
    }
    for (JobEntry job : found.get(0).jobs().values()) {
      JobFacts facts = job.stored();
      JobRef ref = new JobRef(host, run, job.name());
      JobEntry known = index.job(ref);
      if (facts != null
          && (known == null || !facts.equals(known.stored()) || known.running() != null)) {
        apply(ref, old -> new JobEntry(job.name(), facts, null), false, System.currentTimeMillis());
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
    jobDone(job, status, updateStatusApi, statusRunId, "");
  }

  /**
   * As {@link #jobDone(JobRef, int, boolean, RunId)}, for a job that ended early: {@code note}
   * ({@code "cancelled by SIGTERM"}) is what pages, the status API's JSON and hooks show as its
   * status text until its files arrive; empty for a job that ran to its end.
   */
  public void jobDone(
      JobRef job, int status, boolean updateStatusApi, @Nullable RunId statusRunId, String note)
      throws IOException {
    jobDone(job, status, updateStatusApi, statusRunId, note, Instant.now());
  }

  /** As {@link #jobDone(JobRef, int, boolean, RunId, String)}, done at {@code at}. */
  public void jobDone(
      JobRef job,
      int status,
      boolean updateStatusApi,
      @Nullable RunId statusRunId,
      String note,
      Instant at)
      throws IOException {
    SiteLayout.requirePublishable(job);
    if (status < 0 || status > 255) {
      throw new BadInput("status " + status + " must be 0-255");
    }
    requireNotLost(job, "a late done event");
    leases.forget(job);
    RunLocks.Hold hold = locks.use(job.host(), job.run());
    try {
      applyDone(job, status, updateStatusApi, statusRunId, note, at);
    } finally {
      hold.close();
    }
  }

  private void applyDone(
      JobRef job,
      int status,
      boolean updateStatusApi,
      @Nullable RunId statusRunId,
      String note,
      Instant at)
      throws IOException {
    String explicit = statusRunId == null ? "" : statusRunId.value();
    JobEntry known = index.job(job);
    String statusId = updateStatusApi ? statusRunId(job, known, explicit) : "";
    // A refused (507) done event changes nothing: the status file is written to a temp file before
    // the pages and put in place (a rename, needing no space) only after them.
    String statusPath =
        updateStatusApi ? SiteLayout.statusFile(job.host(), statusId, job.job()) : "";
    @Nullable Path statusFile = null;
    @Nullable Path statusTemp = null;
    NewFolders made = new NewFolders(layout);
    try {
      if (updateStatusApi) {
        statusFile = layout.path(statusPath);
        made.noteFoldersOf(statusFile);
        statusTemp = AtomicFiles.createTemp(statusFile);
        Files.write(statusTemp, SiteLayout.statusLine(status, at).getBytes(StandardCharsets.UTF_8));
      }
      if (known == null || known.inProgress()) {
        // Checked again under the index lock: the files may have been stored meanwhile.
        applyOrUndo(
            job,
            old ->
                old != null && old.done()
                    ? old
                    : running(job, old, at).withDoneEntry(status, explicit, note),
            at.toEpochMilli());
      }
      if (statusFile != null && statusTemp != null) {
        // Recorded first: retention deletes a status file only if its run is known to have
        // written it.
        RunRecords.ownsStatus(layout, job, statusId);
        AtomicFiles.commit(statusTemp, statusFile);
        pageChanged.accept(statusPath);
      }
    } catch (IOException e) {
      if (statusTemp != null) {
        Files.deleteIfExists(statusTemp);
        made.removeEmpty();
      }
      throw e;
    }
  }

  /**
   * Status files of {@code jobs} are about to be stored under {@code status-api/HOST/ID/} by Soil's
   * uploader (whose worker has the status-api scope): every run whose jobs claim the id records
   * them, so that retention deletes them with the last of those runs.
   */
  public void statusUploaded(WorkerHost host, RunId statusRun, List<JobName> jobs)
      throws IOException {
    for (RunState run : index.ofStatusId(host, statusRun.value())) {
      RunLocks.Hold hold = locks.use(host, run.id());
      try {
        if (index.run(host, run.id()) != null) { // else retention took it meanwhile
          for (JobName job : jobs) {
            RunRecords.ownsStatus(layout, new JobRef(host, run.id(), job), statusRun.value());
          }
        }
      } finally {
        hold.close();
      }
    }
  }

  /**
   * The status API run id of a done job: the one the event names, else the stored job's {@code
   * GITHUB_RUN_ID}, else the job's run. Checked before anything changes: a stored id that is no
   * safe name (stored before uploads checked it) is refused, never followed out of the root.
   */
  private static String statusRunId(JobRef job, @Nullable JobEntry known, String explicit) {
    String stored = known == null ? "" : known.statusRunId();
    String id = !explicit.isEmpty() ? explicit : stored.isEmpty() ? job.run().value() : stored;
    if (!SafeName.isSafe(id)) {
      SafeName.require("GITHUB_RUN_ID of " + job + " (pass statusRunId to override it)", id);
    }
    return id;
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

  /** How many of {@code host}'s jobs in the index pass, fail, run, were lost or cancelled. */
  public JobCounts jobCounts(WorkerHost host) {
    return JobCounts.of(index.all(host));
  }

  /**
   * The stored jobs whose files break a rule, one line each ({@code github-jobs/7/cpp.json:
   * reason}): pages list them as broken; {@code regen} names them.
   */
  public List<String> brokenJobs() {
    return index.brokenJobs();
  }

  /**
   * Starts ending running jobs whose worker has been silent longer than the lease ({@link
   * SiteSettings#jobLease}) as lost: {@code serve} calls it; {@code regen} and {@code ingest} never
   * end a job. A job's last word survives a restart as its running file's modification time.
   */
  public synchronized void startLeases() {
    startLeases(this::declareLost);
  }

  /**
   * As {@link #startLeases()}, each silent job handed to {@code lost} (the distributed mode
   * publishes it, and every replica applies it with {@link #declareLost}).
   */
  public synchronized void startLeases(LostJobs lost) {
    if (leaseTimer != null) {
      return;
    }
    this.lostJobs = lost;
    ScheduledExecutorService timer =
        Executors.newSingleThreadScheduledExecutor(Daemons.named("soil-job-leases"));
    long every = leases.checkEvery().toMillis();
    var unused =
        timer.scheduleWithFixedDelay(this::endSilentJobs, every, every, TimeUnit.MILLISECONDS);
    leaseTimer = timer;
  }

  /** Stops the lease timer ({@link #startLeases}); another replica runs it now. */
  public synchronized void stopLeases() {
    ScheduledExecutorService timer = leaseTimer;
    if (timer != null) {
      timer.shutdownNow();
      leaseTimer = null;
    }
  }

  /** Who ends a job whose lease ran out. */
  @FunctionalInterface
  public interface LostJobs {
    /**
     * {@code job}'s worker was last heard at {@code lastMillis}; it is lost at {@code nowMillis}.
     */
    void lost(JobRef job, long lastMillis, long nowMillis) throws IOException;
  }

  /**
   * On the lease timer: every running job unheard for longer than the lease ends as lost. Never
   * throws: an exception would end the timer's schedule.
   */
  private void endSilentJobs() {
    try {
      endSilentJobs(System.currentTimeMillis());
    } catch (RuntimeException e) {
      LOG.warn("looking for running jobs whose lease ran out failed: {}", e.toString());
    }
  }

  private void endSilentJobs(long now) {
    for (WorkerHost host : WorkerHost.values()) {
      for (RunState run : index.all(host)) {
        if (!run.inProgress()) {
          // Answered without making the jobs of a run the snapshot holds (SnapshotJobs).
          continue;
        }
        for (JobEntry job : run.jobs().values()) {
          RunningJob state = job.running();
          if (state == null || !job.inProgress()) {
            continue;
          }
          JobRef ref = new JobRef(host, run.id(), job.name());
          Path file = layout.path(SiteLayout.runningFile(ref));
          long last = leases.lastHeard(ref, file, state.startedEpoch());
          if (now - last > leases.lease().toMillis()) {
            try {
              lostJobs.lost(ref, last, now);
            } catch (IOException | RuntimeException e) {
              LOG.warn("{}: could not end it as lost: {}", ref, e.toString());
            }
          }
        }
      }
    }
  }

  /**
   * Ends {@code job} as lost, its worker last heard at {@code lastMillis}, at {@code nowMillis}; a
   * job no longer running is left as it is.
   */
  public void declareLost(JobRef job, long lastMillis, long nowMillis) throws IOException {
    String note =
        LOST
            + "no word from its worker since "
            + SiteText.iso(lastMillis / 1000)
            + ", declared lost at "
            + SiteText.iso(nowMillis / 1000)
            + " (lease "
            + leases.lease().toSeconds()
            + " s, config jobLeaseSeconds)";
    JobEntry known = index.job(job);
    RunningJob state = known == null ? null : known.running();
    if (state != null && state.statusOnEnd()) {
      // As a done event with updateStatusApi=1 would: the status file, then the pages.
      RunLocks.Hold hold = locks.use(job.host(), job.run());
      try {
        // Checked again under the run's lock: a done event may have ended it meanwhile, and its
        // status file must not be replaced by the lost one.
        JobEntry now = index.job(job);
        if (now != null && now.inProgress()) {
          applyDone(job, LOST_STATUS, true, null, note, Instant.ofEpochMilli(nowMillis));
        }
      } finally {
        hold.close();
      }
    } else {
      applyOrUndo(
          job,
          old -> old != null && old.inProgress() ? old.withDoneEntry(LOST_STATUS, "", note) : old,
          nowMillis);
    }
    leases.forget(job);
    LOG.warn("{}: {}", job, note);
  }

  /** Refuses {@code what} for a job declared lost: only its files or a new start are taken. */
  private void requireNotLost(JobRef job, String what) {
    JobEntry known = index.job(job);
    RunningJob state = known == null ? null : known.running();
    if (state != null && state.done() && state.endNote().startsWith(LOST)) {
      throw new JobLost(
          job
              + " is "
              + state.endNote()
              + "; "
              + what
              + " is refused: upload the job's files (POST /results) to replace it, or send a"
              + " start event to run it again");
    }
  }

  /** Stops the page writers and the hook runner, waiting briefly for running hooks. */
  @Override
  public void close() {
    ScheduledExecutorService timer = leaseTimer;
    if (timer != null) {
      timer.shutdownNow();
    }
    hooks.close();
    pages.close();
    journal.close();
    SavedIndex index = saved;
    if (index != null) {
      index.saveIfKept();
    }
  }

  /**
   * Deletes the index snapshot in {@code state}: the next start reads every job ({@code regen}).
   */
  public static void forgetSnapshot(StateLayout state) throws IOException {
    SavedIndex.forget(state);
  }

  /**
   * True while the page at {@code path} (from the site root, e.g. {@code
   * github-jobs/4101/index.html}) changed and its new version is not written yet: an event's pages
   * are written in the background, after its answer.
   */
  public boolean pagePending(String path) {
    return pages.pending(path);
  }

  /**
   * Waits until the page at {@code path} is written ({@link #pagePending}), at most {@code
   * timeoutMillis}; returns whether it is. A reader through HTTP waits so that it never sees a page
   * older than an event already answered.
   */
  public boolean awaitPage(String path, long timeoutMillis) throws InterruptedException {
    return pages.awaitWritten(path, timeoutMillis);
  }

  /**
   * Waits until every page changed so far is written (a page left to another replica: its copy
   * fetched), at most {@code timeoutMillis}; returns whether it is (for tests and tools that read
   * the site's files directly after an event).
   */
  public boolean awaitPagesWritten(long timeoutMillis) throws InterruptedException {
    return pages.awaitAllCurrent(timeoutMillis);
  }

  int writeCount(String path) {
    return pages.writeCount(path);
  }

  /**
   * From now on this replica renders only the pages {@code owners} names (the distributed mode:
   * those of the roles it holds); every other page a change touches is left to its renderer and
   * stays {@linkplain #pagePending pending} until {@link #pagesAnnounced} or {@link #renderLeft}.
   */
  public void renderOnly(PageOwners owners) {
    pages.renderOnly(owners);
  }

  /**
   * The renderer of the pages {@code which} names (by path from the site root) announced them as
   * far as the change at {@code position}, and this replica put its copies in place: the pages left
   * by changes up to it are current.
   */
  public void pagesAnnounced(Predicate<String> which, long position) {
    pages.announced(which, position);
  }

  /**
   * Renders the pages {@code which} names that were left to another replica (this one renders them
   * now: it took their role); returns their paths.
   */
  public List<String> renderLeft(Predicate<String> which) throws IOException {
    return pages.renderLeft(which);
  }

  /**
   * Waits until every page deferred so far (by an event) is written, at most {@code timeoutMillis};
   * returns whether it is. Pages deferred meanwhile are not waited for.
   */
  public boolean awaitPagesDeferredSoFar(long timeoutMillis) throws InterruptedException {
    return pages.awaitDeferredSoFar(timeoutMillis);
  }

  /** How many pages this site rendered since it opened, written or not (a metric). */
  public long pagesRendered() {
    return pages.renders();
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

  /**
   * As {@link #apply}, all or none: when the run's arrival record or any page cannot be written (a
   * full disk), the index change is undone and every file written for it removed, so a refused
   * event changes nothing. (A job's stored files are durable before their change is applied, so
   * that one is never undone.)
   */
  private void applyOrUndo(JobRef job, UnaryOperator<@Nullable JobEntry> update, long nowMillis)
      throws IOException {
    apply(job, update, true, nowMillis);
  }

  private void apply(
      JobRef job, UnaryOperator<@Nullable JobEntry> update, boolean undoable, long nowMillis)
      throws IOException {
    SiteLayout.requirePublishable(job);
    Change change;
    List<HookEvent> events;
    boolean marked = false;
    RunLocks.Hold hold = locks.use(job.host(), job.run());
    try {
      change = index.update(job, update, nowMillis);
      events = hookEventsHere(change);
      NewFolders made = new NewFolders(layout);
      byte @Nullable [] wasRunning = null;
      boolean savedRunning = false;
      boolean savedArrival = false;
      Path arrived = RunRecords.arrivedFile(layout, job.host(), job.run());
      try {
        if (change.arrivalChanged()) {
          made.noteFoldersOf(arrived);
          savedArrival = true;
          RunRecords.arrived(layout, job.host(), job.run(), change.after().arrived());
        }
        Path runningFile = layout.path(SiteLayout.runningFile(job));
        made.noteFoldersOf(runningFile);
        if (undoable) {
          wasRunning = bytesIfAny(runningFile);
        }
        List<Page> affected = change.pages();
        try (PageJournal.Span span = journal.begin(affected)) {
          // An event that finishes the job: marked before it is true, cleared once its hooks are
          // spooled, so that a crash in between fires them at the next start (DueHooks). (An
          // upload's stored files are true already: its commit manifest stands for the mark. The
          // distributed mode's changes, applied with a delivery, are not marked.)
          if (undoable && due != null && hookDelivery.get() == null && !events.isEmpty()) {
            marked = due.mark(job);
          }
          // First: on a full disk this write fails before any page changed.
          running.save(job);
          savedRunning = true;
          if (undoable && journal.deferred()) {
            // An event: its truth (the running file, the status file) is in place; the pages are
            // named in the journal and rendered by the background writer, read-your-writes for
            // HTTP readers through awaitPage.
            pages.defer(affected);
          } else if (undoable) {
            pages.updateAllOrNone(affected);
          } else {
            pages.updateAll(affected);
          }
        }
      } catch (IOException e) {
        pagesMayBeStale();
        if (marked) {
          Objects.requireNonNull(due).clear(job);
        }
        if (undoable) {
          index.undo(change);
          if (savedRunning) {
            restoreRunning(job, wasRunning);
          }
          RunState before = change.before();
          // Refused before the arrival was written (a plain file where the run folder should be),
          // there is nothing to undo, and deleting under that file would hide the failure.
          if (savedArrival && change.newRun()) {
            Files.deleteIfExists(arrived);
          } else if (savedArrival && before != null) {
            RunRecords.arrived(layout, job.host(), job.run(), before.arrived());
          }
          made.removeEmpty();
        }
        throw e;
      }
    } finally {
      hold.close();
    }
    fire(events);
    if (marked) {
      Objects.requireNonNull(due).clear(job);
    }
    if (change.newRun()) {
      retire(job);
    }
  }

  /** Spools and queues the hooks of {@code events} ({@link #hookEventsHere}). */
  private void fire(List<HookEvent> events) {
    for (HookEvent event : events) {
      hooks.submit(event);
    }
  }

  /**
   * The hook events {@code change} fires on this server: none when no hook is configured or another
   * replica fires them; {@code run-finished} not when another part fires it; with the change
   * stream's delivery when applied from it.
   */
  private List<HookEvent> hookEventsHere(Change change) {
    if (!hooks.any() || hooksElsewhere.get()) {
      return List.of();
    }
    @Nullable String delivery = hookDelivery.get();
    List<HookEvent> here = new ArrayList<>();
    for (HookEvent event : HookEvents.of(change)) {
      if (hooks.runs(event.name())
          && (!event.name().equals(HookEvent.RUN_FINISHED)
              || !runFinishedElsewhere.test(change.job()))) {
        here.add(delivery == null ? event : event.delivered(delivery));
      }
    }
    return here;
  }

  /**
   * A page write failed: the next start must not trust the pages ({@link
   * SavedIndex#pagesMayBeStale}).
   */
  private void pagesMayBeStale() {
    SavedIndex kept = saved;
    if (kept != null) {
      kept.pagesMayBeStale();
    }
  }

  /**
   * The file's bytes; null when there is none (one read, no stat first: this is on every event).
   */
  private static byte @Nullable [] bytesIfAny(Path file) throws IOException {
    try {
      return Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      return null;
    }
  }

  /** Puts a job's running file back as it was before a refused change ({@code null}: none). */
  private void restoreRunning(JobRef job, byte @Nullable [] was) {
    Path file = layout.path(SiteLayout.runningFile(job));
    try {
      if (was == null) {
        Files.deleteIfExists(file);
      } else {
        AtomicFiles.write(file, was);
      }
    } catch (IOException e) {
      LOG.warn("{}: could not put its running file back after a refused change: {}", job, e);
    }
  }

  /**
   * Retention after a new run arrived. Its failure is logged, never the answer to the request that
   * triggered it: that request's own change is already stored.
   */
  private void retire(JobRef trigger) {
    WorkerHost host = trigger.host();
    List<Retention.Retired> removed = retention.select(index, host, trigger.run());
    try {
      Set<Page> todo = new LinkedHashSet<>();
      removed.forEach(r -> todo.addAll(RunPages.of(host, r.run())));
      removed.forEach(r -> todo.addAll(index.testPagesOf(host, r.run())));
      todo.add(new Page.HostIndex(host));
      todo.add(new Page.HostJson(host));
      todo.add(new Page.RawHtml(host));
      todo.add(new Page.Home());
      if (!removed.isEmpty()) {
        pages.updateAll(todo);
      }
      for (Retention.Retired r : removed) {
        String runDir = SiteLayout.runDir(host, r.run().id());
        @Nullable RunDeletions deletions = runDeletions;
        if (deletions != null) {
          deletions.before(runDir);
        }
        retention.deleteFiles(
            host, r.run(), id -> index.ofStatusId(host, id).isEmpty(), pageChanged);
        if (deletions != null) {
          deletions.after(runDir);
        }
      }
    } catch (IOException e) {
      pagesMayBeStale();
      LOG.warn("{}: retention after this new run failed: {}", trigger, e.toString());
    } finally {
      removed.forEach(r -> r.hold().close());
    }
  }
}
