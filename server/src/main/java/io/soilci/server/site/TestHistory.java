package io.soilci.server.site;

import io.soilci.result.RunId;
import io.soilci.result.TestStatus;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One test's results in the kept runs of a host, from the index ({@link JobTests} of each run's job
 * of that name), grouped by branch, with the run it first failed in and whether it is flaky.
 *
 * <p><b>Flaky</b> means either: it passed and failed on the same commit (a rerun of the same code
 * gave both answers), or its outcome changed between pass and fail at least {@link #FLIPS} times in
 * its last {@link #FLIP_WINDOW} results on one branch (skips left out). A real break and its fix
 * are two changes; four in twenty runs means it broke and recovered twice, which code changes
 * rarely do to one test. Only stored facts decide, so a rebuild marks the same tests.
 */
final class TestHistory {
  /** Changes between pass and fail within {@link #FLIP_WINDOW} results that make a test flaky. */
  static final int FLIPS = 4;

  static final int FLIP_WINDOW = 20;

  /**
   * One result of the test.
   *
   * @param millis the time in milliseconds, -1 when unknown
   */
  record Outcome(
      RunId run, String branch, String commit, long startEpoch, TestStatus status, int millis) {
    boolean failed() {
      return status == TestStatus.FAIL || status == TestStatus.ERROR;
    }

    boolean passed() {
      return status == TestStatus.PASS;
    }
  }

  private final TestKey key;
  private final List<Outcome> outcomes;

  private TestHistory(TestKey key, List<Outcome> outcomes) {
    this.key = key;
    this.outcomes = List.copyOf(outcomes);
  }

  /** The test's results in {@code runs} (oldest first), oldest first. */
  static TestHistory of(TestKey key, List<RunState> runs) {
    List<Outcome> out = new ArrayList<>();
    for (RunState run : runs) {
      Optional<Outcome> o = outcome(key, run);
      o.ifPresent(out::add);
    }
    return new TestHistory(key, out);
  }

  /** The test's result in {@code run}, if its job stored one. */
  static Optional<Outcome> outcome(TestKey key, RunState run) {
    JobEntry job = run.jobs().get(key.job());
    JobFacts facts = job == null ? null : job.stored();
    if (facts == null) {
      return Optional.empty();
    }
    JobTests results = facts.tests().results();
    int i = results.find(key);
    if (i < 0) {
      return Optional.empty();
    }
    return Optional.of(
        new Outcome(
            run.id(),
            branchOf(facts),
            facts.commit(),
            facts.startEpoch(),
            results.status(i),
            results.millis(i)));
  }

  /** A job's branch: GitHub's ref name, else the pull request's. */
  static String branchOf(JobFacts facts) {
    return facts.branch().isEmpty() ? facts.pullRequest() : facts.branch();
  }

  TestKey key() {
    return key;
  }

  /** Every result, oldest first. */
  List<Outcome> outcomes() {
    return outcomes;
  }

  /** The results by branch, the branch with the newest result first; each oldest first. */
  Map<String, List<Outcome>> byBranch() {
    Map<String, List<Outcome>> out = new LinkedHashMap<>();
    for (int i = outcomes.size() - 1; i >= 0; i--) {
      out.computeIfAbsent(outcomes.get(i).branch(), b -> new ArrayList<>()).add(0, outcomes.get(i));
    }
    return out;
  }

  /** The oldest kept result that failed. */
  Optional<Outcome> firstFailed() {
    return outcomes.stream().filter(Outcome::failed).findFirst();
  }

  /**
   * The first result of the failures the branch's newest result belongs to (it failed in every
   * result after), or empty when the newest passed or was skipped.
   */
  static Optional<Outcome> failingSince(List<Outcome> branchOldestFirst) {
    Outcome since = null;
    for (int i = branchOldestFirst.size() - 1; i >= 0; i--) {
      Outcome o = branchOldestFirst.get(i);
      if (!o.failed()) {
        break;
      }
      since = o;
    }
    return Optional.ofNullable(since);
  }

  /** Why the test is flaky (see the class), or empty when it is not. */
  String flaky() {
    Map<String, Outcome[]> byCommit = new LinkedHashMap<>();
    for (Outcome o : outcomes) {
      if (o.commit().isEmpty() || !(o.passed() || o.failed())) {
        continue;
      }
      Outcome[] seen = byCommit.computeIfAbsent(o.commit(), c -> new Outcome[2]);
      int slot = o.passed() ? 0 : 1;
      if (seen[slot] == null) {
        seen[slot] = o;
      }
      if (seen[0] != null && seen[1] != null) {
        return "passed (run "
            + seen[0].run()
            + ") and failed (run "
            + seen[1].run()
            + ") on the same commit "
            + SiteText.shortHash(o.commit());
      }
    }
    for (Map.Entry<String, List<Outcome>> branch : byBranch().entrySet()) {
      List<Outcome> decided =
          branch.getValue().stream().filter(o -> o.passed() || o.failed()).toList();
      List<Outcome> last =
          decided.subList(Math.max(0, decided.size() - FLIP_WINDOW), decided.size());
      int flips = 0;
      for (int i = 1; i < last.size(); i++) {
        flips += last.get(i).passed() != last.get(i - 1).passed() ? 1 : 0;
      }
      if (flips >= FLIPS) {
        return "changed between pass and fail "
            + flips
            + " times in its last "
            + last.size()
            + " results on "
            + (branch.getKey().isEmpty() ? "no branch" : branch.getKey());
      }
    }
    return "";
  }
}
