package io.soilci.server.site;

import java.util.Collection;
import java.util.EnumMap;
import java.util.Map;

/** How many of a host's jobs in the index are in each state, for the server's metrics. */
public record JobCounts(Map<JobCounts.State, Integer> byState) {
  /** A job's state; a lost or cancelled job counts there, not as failed. */
  public enum State {
    PASSED,
    FAILED,
    RUNNING,
    LOST,
    CANCELLED;

    /** The metric label value: {@code passed} ... */
    public String label() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  public JobCounts {
    byState = Map.copyOf(byState);
  }

  /** The counts of {@code runs}' jobs, each run's from {@link RunState#jobCounts}. */
  static JobCounts of(Collection<RunState> runs) {
    Map<State, Integer> counts = zeros();
    for (RunState run : runs) {
      run.jobCounts().byState().forEach((state, n) -> counts.merge(state, n, Integer::sum));
    }
    return new JobCounts(counts);
  }

  /** The counts of one run's jobs. */
  static JobCounts ofJobs(Collection<JobEntry> jobs) {
    Map<State, Integer> counts = zeros();
    for (JobEntry job : jobs) {
      counts.merge(job.countedState(), 1, Integer::sum);
    }
    return new JobCounts(counts);
  }

  private static Map<State, Integer> zeros() {
    Map<State, Integer> counts = new EnumMap<>(State.class);
    for (State state : State.values()) {
      counts.put(state, 0);
    }
    return counts;
  }

  public int count(State state) {
    return byState.getOrDefault(state, 0);
  }
}
