package io.soilci.server.site;

import io.soilci.result.JobFile;
import io.soilci.result.JobRef;
import io.soilci.result.SiteLayout;
import io.soilci.result.TaskRow;
import io.soilci.result.TestStatus;
import io.soilci.result.WorkerHost;
import io.soilci.server.logview.LogDiff;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * What changed since the last green run of a run's branch: the commits since, each now-failing task
 * and test with the last run of the branch it passed in and whether it is newly failing (it passed
 * in the branch's previous run that had it, or no earlier run had it) or already failing, and for
 * each newly failing task a diff of its log against that previous run's ({@link LogDiff}). From the
 * index and, for the diffs, the two runs' wwz files. Bounded: {@link #MAX_COMMITS} commits, {@link
 * #MAX_TESTS} failing tests per job, {@link #MAX_DIFFS} diffs per run.
 *
 * @param branch the run's branch (GitHub's ref name, else the pull request); runs with the same
 *     value are compared
 * @param lastGreen the newest earlier run of the branch whose every job passed, or null
 * @param earlierRuns how many earlier runs of the branch the index keeps
 * @param commits the commits of the runs after the last green one up to this one, newest first
 * @param commitsNotShown commits past {@link #MAX_COMMITS}
 */
record SinceGreen(
    WorkerHost host,
    RunState run,
    String branch,
    @Nullable RunState lastGreen,
    int earlierRuns,
    List<Commit> commits,
    int commitsNotShown,
    List<Job> jobs) {
  static final int MAX_COMMITS = 50;
  static final int MAX_TESTS = 100;
  static final int MAX_DIFFS = 5;

  /** A commit and the newest run (of those listed) that tested it. */
  record Commit(String commit, String subject, RunState run) {}

  /** A failing job of the run: its failing tasks and tests. */
  record Job(String name, List<Task> tasks, List<Test> tests, int testsNotShown) {}

  /**
   * A failing task.
   *
   * @param previous the branch's newest earlier run whose job has the task, or null
   * @param lastPassed the branch's newest earlier run in which the task passed, or null
   * @param diff its log against {@code previous}'s, for a newly failing task with a previous run
   */
  record Task(
      TaskRow row,
      boolean newly,
      @Nullable RunState previous,
      @Nullable RunState lastPassed,
      LogDiff.@Nullable Result diff) {}

  /** A failing test; {@code hasPage}: it has a history page. */
  record Test(
      TestKey key,
      TestStatus status,
      boolean newly,
      @Nullable RunState previous,
      @Nullable RunState lastPassed,
      boolean hasPage) {}

  /**
   * The page's facts for {@code run}; {@code sameBranch}: the earlier runs of its branch, newest
   * first; {@code layout} finds the logs to diff.
   */
  static SinceGreen of(
      WorkerHost host,
      RunState run,
      List<RunState> sameBranch,
      SiteLayout layout,
      java.util.function.Predicate<TestKey> hasPage) {
    RunState green = sameBranch.stream().filter(SinceGreen::green).findFirst().orElse(null);
    List<Commit> commits = new ArrayList<>();
    Set<String> seen = new LinkedHashSet<>();
    int notShown = 0;
    List<RunState> since = new ArrayList<>();
    since.add(run);
    for (RunState r : sameBranch) {
      if (r.equals(green)) {
        break;
      }
      since.add(r);
    }
    for (RunState r : since) {
      JobFacts facts = facts(r);
      if (facts == null || facts.commit().isEmpty() || !seen.add(facts.commit())) {
        continue;
      }
      if (commits.size() < MAX_COMMITS) {
        commits.add(new Commit(facts.commit(), facts.commitLine(), r));
      } else {
        notShown++;
      }
    }
    int[] diffs = {0};
    List<Job> jobs = new ArrayList<>();
    for (JobEntry job : Views.sorted(run)) {
      JobFacts facts = job.shownFacts();
      if (facts == null || facts.isBroken()) {
        continue;
      }
      JobRef ref = new JobRef(host, run.id(), job.name());
      List<Task> tasks = new ArrayList<>();
      for (TaskRow row : facts.tasks()) {
        if (!row.passed()) {
          tasks.add(task(ref, row, sameBranch, layout, diffs));
        }
      }
      List<Test> tests = new ArrayList<>();
      JobTests results = facts.tests().results();
      List<Integer> failing = new ArrayList<>();
      for (int i = 0; i < results.size(); i++) {
        if (failed(results.status(i))) {
          failing.add(i);
        }
      }
      failing.sort(Comparator.comparing(i -> results.key(i), BY_NAME));
      for (int i : failing.subList(0, Math.min(MAX_TESTS, failing.size()))) {
        tests.add(test(results.key(i), results.status(i), sameBranch, hasPage));
      }
      if (!tasks.isEmpty() || !tests.isEmpty()) {
        jobs.add(
            new Job(job.name().value(), tasks, tests, Math.max(0, failing.size() - MAX_TESTS)));
      }
    }
    return new SinceGreen(
        host, run, branchOf(run), green, sameBranch.size(), commits, notShown, jobs);
  }

  private static final Comparator<TestKey> BY_NAME =
      Comparator.comparing(TestKey::task)
          .thenComparing(TestKey::suite)
          .thenComparing(TestKey::name);

  /** The run's branch: its first stored job's (the value runs are compared by). */
  static String branchOf(RunState run) {
    JobFacts facts = facts(run);
    return facts == null ? "" : TestHistory.branchOf(facts);
  }

  private static @Nullable JobFacts facts(RunState run) {
    for (JobEntry job : run.jobs().values()) {
      if (job.stored() != null) {
        return job.stored();
      }
    }
    return null;
  }

  /** Every job of the run done and passed. */
  static boolean green(RunState run) {
    return !run.jobs().isEmpty()
        && run.jobs().values().stream().allMatch(j -> j.done() && j.maxStatus() == 0);
  }

  private static boolean failed(TestStatus status) {
    return status == TestStatus.FAIL || status == TestStatus.ERROR;
  }

  private static Task task(
      JobRef ref, TaskRow row, List<RunState> earlier, SiteLayout layout, int[] diffs) {
    RunState previous = null;
    TaskRow previousRow = null;
    RunState lastPassed = null;
    for (RunState r : earlier) {
      Optional<TaskRow> had = taskOf(r, ref.job().value(), row);
      if (had.isEmpty()) {
        continue;
      }
      if (previous == null) {
        previous = r;
        previousRow = had.get();
      }
      if (had.get().passed()) {
        lastPassed = r;
        break;
      }
    }
    boolean newly = previousRow == null || previousRow.passed();
    LogDiff.Result diff = null;
    if (newly && previous != null && diffs[0] < MAX_DIFFS) {
      diffs[0]++;
      JobRef before = new JobRef(ref.host(), previous.id(), ref.job());
      diff =
          LogDiff.diff(
              layout.path(SiteLayout.jobFile(before, JobFile.WWZ)),
              row.logPath(),
              layout.path(SiteLayout.jobFile(ref, JobFile.WWZ)),
              row.logPath());
    }
    return new Task(row, newly, previous, lastPassed, diff);
  }

  private static Optional<TaskRow> taskOf(RunState run, String job, TaskRow like) {
    JobEntry entry = run.jobs().get(job);
    JobFacts facts = entry == null ? null : entry.stored();
    if (facts == null) {
      return Optional.empty();
    }
    return facts.tasks().stream().filter(t -> t.name().equals(like.name())).findFirst();
  }

  private static Test test(
      TestKey key,
      TestStatus status,
      List<RunState> earlier,
      java.util.function.Predicate<TestKey> hasPage) {
    RunState previous = null;
    boolean previousPassed = true;
    RunState lastPassed = null;
    for (RunState r : earlier) {
      Optional<TestHistory.Outcome> o = TestHistory.outcome(key, r);
      if (o.isEmpty() || o.get().status() == TestStatus.SKIP) {
        continue;
      }
      if (previous == null) {
        previous = r;
        previousPassed = o.get().passed();
      }
      if (o.get().passed()) {
        lastPassed = r;
        break;
      }
    }
    return new Test(key, status, previousPassed, previous, lastPassed, hasPage.test(key));
  }
}
