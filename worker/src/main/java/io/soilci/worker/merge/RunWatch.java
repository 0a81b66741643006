package io.soilci.worker.merge;

import io.soilci.worker.WorkerFailure;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Polls the status API until every expected job reported, one of them failed, or time is up; prints
 * one progress line per poll, naming the run id and where it looks, and once, early, when the
 * server lists runs but no job of this one (a wrong run id looks like jobs not yet started).
 */
final class RunWatch {
  private final StatusApi api;
  private final Duration wait;
  private final Duration poll;
  private final PrintWriter progress;

  RunWatch(StatusApi api, Duration wait, Duration poll, PrintWriter progress) {
    this.api = api;
    this.wait = wait;
    this.poll = poll;
    this.progress = progress;
  }

  /** The last known state of each job, in the order given. */
  List<JobState> await(List<String> jobs) {
    long deadline = System.nanoTime() + wait.toNanos();
    Map<String, JobState> states = new LinkedHashMap<>();
    boolean first = true;
    while (true) {
      for (String job : jobs) {
        if (!states.containsKey(job) || !states.get(job).reported()) {
          states.put(job, api.read(job));
        }
      }
      List<JobState> all = new ArrayList<>(states.values());
      long left = deadline - System.nanoTime();
      if (all.stream().allMatch(JobState::reported)
          || all.stream().anyMatch(s -> s.reported() && !s.green())
          || left <= 0) {
        return all;
      }
      if (first && all.stream().noneMatch(JobState::reported)) {
        warnIfUnknown();
      }
      first = false;
      progress.println(progressLine(all, Duration.ofNanos(left)));
      sleep(Duration.ofNanos(Math.min(left, poll.toNanos())));
    }
  }

  private void warnIfUnknown() {
    int others = api.otherRunsWhenThisIsUnknown();
    if (others > 0) {
      progress.println(
          "maybe-merge: the server has no job of run id "
              + api.runId()
              + " ("
              + api.runUrl()
              + "index.json answered 404) but lists "
              + others
              + (others == 1 ? " run" : " runs")
              + ": if the jobs have started, check --run-id (GITHUB_RUN_ID, not"
              + " GITHUB_RUN_NUMBER); waiting in case they have not");
    }
  }

  private String progressLine(List<JobState> states, Duration left) {
    List<String> waiting =
        states.stream().filter(s -> !s.reported()).map(JobState::job).collect(Collectors.toList());
    return "maybe-merge: "
        + (states.size() - waiting.size())
        + " of "
        + states.size()
        + " jobs reported under run id "
        + api.runId()
        + " ("
        + api.runUrl()
        + "); waiting for "
        + String.join(", ", waiting)
        + " ("
        + left.toSeconds()
        + " s left)";
  }

  private static void sleep(Duration duration) {
    try {
      Thread.sleep(Math.max(1, duration.toMillis()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new WorkerFailure("interrupted while waiting for the status API", e);
    }
  }
}
