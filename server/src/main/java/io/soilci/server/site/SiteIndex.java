package io.soilci.server.site;

import io.soilci.result.JobRef;
import io.soilci.result.RunId;
import io.soilci.result.WorkerHost;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;

/**
 * Every run and job of the site in memory (runs → jobs → task totals). Changes are short and
 * synchronized; reads return immutable {@link RunState}s that pages render from.
 */
final class SiteIndex {
  private final Map<WorkerHost, HostRuns> hosts = new EnumMap<>(WorkerHost.class);

  SiteIndex() {
    for (WorkerHost host : WorkerHost.values()) {
      hosts.put(host, new HostRuns());
    }
  }

  /**
   * Replaces the job with {@code update}'s result (null removes it); says what changed. A run new
   * to the index arrived at {@code arrivedAt} (epoch millis); a known run whose arrival is later
   * than {@code arrivedAt} takes it (replicas that apply the same changes in different orders agree
   * on a run's arrival: the earliest).
   */
  synchronized Change update(JobRef ref, UnaryOperator<@Nullable JobEntry> update, long arrivedAt) {
    HostRuns runs = host(ref.host());
    RunState before = runs.get(ref.run());
    RunState base =
        before == null
            ? RunState.empty(ref.run(), arrivedAt)
            : arrivedAt < before.arrived()
                ? new RunState(before.key(), arrivedAt, before.jobs())
                : before;
    JobEntry old = base.jobs().get(ref.job().value());
    JobEntry now = update.apply(old);
    RunState after = base.with(ref.job().value(), now);
    runs.replace(before, after);
    boolean finished = now != null && now.done() && (old == null || old.inProgress());
    List<Page> testPages =
        testPages(
            ref.host(), runs, old == null ? null : old.stored(), now == null ? null : now.stored());
    return new Change(ref, before, after, finished, before == null, testPages);
  }

  /**
   * The history pages a change of these stored facts touches (once no longer the same object):
   * their failing tests' (made or deleted), and every test of theirs that has a page now.
   */
  private static List<Page> testPages(
      WorkerHost host, HostRuns runs, @Nullable JobFacts before, @Nullable JobFacts after) {
    if (java.util.Objects.equals(before, after)) {
      return List.of();
    }
    Set<TestKey> tests = new LinkedHashSet<>();
    for (JobFacts facts : new JobFacts[] {before, after}) {
      if (facts == null) {
        continue;
      }
      tests.addAll(facts.tests().pageKeys());
      JobTests results = facts.tests().results();
      for (int i = 0; i < results.size(); i++) {
        if (runs.hasTestPage(results.key(i))) {
          tests.add(results.key(i));
        }
      }
    }
    return TestPages.pagesOf(host, tests);
  }

  /** The history pages of a run's tests, after the run left the index: as {@link #update}. */
  synchronized List<Page> testPagesOf(WorkerHost host, RunState removed) {
    Set<Page> pages = new LinkedHashSet<>();
    for (JobEntry job : removed.jobs().values()) {
      pages.addAll(testPages(host, host(host), job.stored(), null));
    }
    return List.copyOf(pages);
  }

  synchronized boolean hasTestPage(WorkerHost host, TestKey test) {
    return host(host).hasTestPage(test);
  }

  synchronized Set<TestKey> testPages(WorkerHost host) {
    return host(host).testPages();
  }

  /**
   * Puts {@code change}'s run back as it was before, when nothing changed it since (its writer
   * holds the run's lock): the change's pages could not be written.
   */
  synchronized void undo(Change change) {
    HostRuns runs = host(change.host());
    RunState after = change.after();
    if (!after.equals(runs.get(after.id()))) {
      return;
    }
    RunState before = change.before();
    runs.replace(after, before == null ? RunState.empty(after.id(), after.arrived()) : before);
  }

  /** Adds runs read from files at start. */
  synchronized void load(WorkerHost host, List<RunState> runs) {
    HostRuns hostRuns = host(host);
    for (RunState run : runs) {
      hostRuns.replace(hostRuns.get(run.key()), run);
    }
  }

  /**
   * Takes out the run, whatever it holds (at start: one the snapshot gave whose folder turned out
   * changed or gone, before the files are read).
   */
  synchronized void drop(WorkerHost host, RunId run) {
    HostRuns runs = host(host);
    RunState held = runs.get(run);
    if (held != null) {
      runs.replace(held, RunState.empty(run, held.arrived()));
    }
  }

  /** Removes a whole run unless a job of it is in progress (retention); returns what it removed. */
  synchronized @Nullable RunState removeFinished(WorkerHost host, RunId run) {
    HostRuns runs = host(host);
    RunState before = runs.get(run);
    if (before == null || before.inProgress()) {
      return null;
    }
    runs.replace(before, RunState.empty(run, before.arrived()));
    return before;
  }

  /** Up to {@code limit} runs that arrived first, oldest first. */
  synchronized List<RunState> firstArrived(WorkerHost host, int limit) {
    return host(host).firstArrived(limit);
  }

  synchronized @Nullable RunState run(WorkerHost host, RunId run) {
    return host(host).get(run);
  }

  synchronized @Nullable JobEntry job(JobRef ref) {
    RunState run = run(ref.host(), ref.run());
    return run == null ? null : run.jobs().get(ref.job().value());
  }

  synchronized List<RunState> newest(WorkerHost host, int limit) {
    return host(host).newest(limit);
  }

  synchronized List<RunState> all(WorkerHost host) {
    return host(host).all();
  }

  synchronized int runCount(WorkerHost host) {
    return host(host).size();
  }

  synchronized List<RunState> ofCommit(WorkerHost host, String commit) {
    return host(host).ofCommit(commit);
  }

  synchronized List<RunState> ofDay(WorkerHost host, String day) {
    return host(host).ofDay(day);
  }

  synchronized List<RunState> ofStatusId(WorkerHost host, String id) {
    return host(host).ofStatusId(id);
  }

  synchronized List<String> days(WorkerHost host) {
    return host(host).days();
  }

  synchronized Set<String> commits(WorkerHost host) {
    return host(host).commits();
  }

  synchronized Set<String> statusIds(WorkerHost host) {
    return host(host).statusIds();
  }

  /** The reasons of every stored job whose files break a rule ({@link JobFacts#broken}). */
  synchronized List<String> brokenJobs() {
    List<String> out = new java.util.ArrayList<>();
    for (HostRuns runs : hosts.values()) {
      for (RunState run : runs.all()) {
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

  private HostRuns host(WorkerHost host) {
    return Objects.requireNonNull(hosts.get(host));
  }
}
