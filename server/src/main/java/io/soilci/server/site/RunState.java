package io.soilci.server.site;

import io.soilci.result.RunId;
import io.soilci.result.SafeName;
import io.soilci.result.SiteLayout;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * One run's jobs by name: immutable, so pages render from it without holding the index lock. {@code
 * arrived} (epoch millis) is when the server first saw the run: retention keeps the newest by it.
 */
record RunState(RunKey key, long arrived, SortedMap<String, JobEntry> jobs) {
  RunState {
    // A run from the index snapshot keeps its jobs as bytes until they are read (SnapshotJobs):
    // immutable already, and what the index files it by is answered from its summary.
    jobs =
        jobs instanceof SnapshotJobs
            ? jobs
            : Collections.unmodifiableSortedMap(new TreeMap<>(jobs));
  }

  static RunState empty(RunId run, long arrived) {
    return new RunState(RunKey.of(run), arrived, new TreeMap<>());
  }

  RunId id() {
    return key.run();
  }

  /** This run with {@code entry} put in place of its job, or the job removed when null. */
  RunState with(String job, @Nullable JobEntry entry) {
    TreeMap<String, JobEntry> copy = new TreeMap<>(jobs);
    if (entry == null) {
      copy.remove(job);
    } else {
      copy.put(job, entry);
    }
    return new RunState(key, arrived, copy);
  }

  boolean inProgress() {
    if (jobs instanceof SnapshotJobs saved) {
      return saved.summary().inProgress();
    }
    return jobs.values().stream().anyMatch(JobEntry::inProgress);
  }

  /** Whether a job of the run ended with a non-zero status: its pages link "since green". */
  boolean anyJobFailed() {
    return jobs.values().stream().anyMatch(j -> j.done() && j.maxStatus() != 0);
  }

  /** Commits of the run's jobs that can name a commit page, in job order. */
  Set<String> commits() {
    if (jobs instanceof SnapshotJobs saved) {
      return saved.summary().commits();
    }
    Set<String> commits = new LinkedHashSet<>();
    for (JobEntry job : jobs.values()) {
      if (SiteLayout.isCommit(job.commit())) {
        commits.add(job.commit());
      }
    }
    return commits;
  }

  /** The run's commit: its first job's. */
  String commit() {
    Set<String> commits = commits();
    return commits.isEmpty() ? "" : commits.iterator().next();
  }

  /** Status API run ids of the run's jobs that are safe folder names. */
  Set<String> statusRunIds() {
    if (jobs instanceof SnapshotJobs saved) {
      return saved.summary().statusRunIds();
    }
    Set<String> ids = new LinkedHashSet<>();
    for (JobEntry job : jobs.values()) {
      String id = job.statusRunId();
      if (SafeName.isSafe(id)) {
        ids.add(id);
      }
    }
    return ids;
  }

  /** The earliest job start, epoch seconds. */
  long startEpoch() {
    if (jobs instanceof SnapshotJobs saved) {
      return saved.summary().startEpoch();
    }
    return jobs.values().stream().mapToLong(JobEntry::startEpoch).min().orElse(0);
  }

  /**
   * The tests with a history page that the run's kept jobs list among their failing tests, one
   * entry per job that lists it, in job order.
   */
  /** How many of the run's jobs are in each state, for the metrics. */
  JobCounts jobCounts() {
    if (jobs instanceof SnapshotJobs saved) {
      return saved.summary().jobCounts();
    }
    return JobCounts.ofJobs(jobs.values());
  }

  List<TestKey> testPageKeys() {
    if (jobs instanceof SnapshotJobs saved) {
      return saved.summary().testPageKeys();
    }
    List<TestKey> keys = new ArrayList<>();
    for (JobEntry job : jobs.values()) {
      JobFacts facts = job.stored();
      if (facts != null) {
        keys.addAll(facts.tests().pageKeys());
      }
    }
    return keys;
  }

  /** Seconds from the earliest job start to the latest known job end. */
  double wallSeconds() {
    long start = startEpoch();
    return jobs.values().stream()
        .mapToDouble(j -> j.startEpoch() + j.elapsed() - start)
        .max()
        .orElse(0);
  }

  /** The UTC day the run started, {@code 2026-11-20}: the history page it is listed on. */
  String day() {
    return day(startEpoch());
  }

  /**
   * The UTC day of {@code epochSeconds} as {@link LocalDate#toString} writes it, put together here
   * for years 1000-9999: a start files every run by it before the JIT has compiled much, and in the
   * interpreter LocalDate's formatting took as long as the rest of a run's filing.
   */
  static String day(long epochSeconds) {
    LocalDate date = LocalDate.ofEpochDay(Math.floorDiv(epochSeconds, 86_400L));
    int year = date.getYear();
    if (year < 1000 || year > 9999) {
      return date.toString();
    }
    int month = date.getMonthValue();
    int day = date.getDayOfMonth();
    char[] out = {
      (char) ('0' + year / 1000),
      (char) ('0' + year / 100 % 10),
      (char) ('0' + year / 10 % 10),
      (char) ('0' + year % 10),
      '-',
      (char) ('0' + month / 10),
      (char) ('0' + month % 10),
      '-',
      (char) ('0' + day / 10),
      (char) ('0' + day % 10)
    };
    return new String(out);
  }
}
