package io.soilci.worker.merge;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The run's commit status (context {@code soil/run}): {@code success} only when every job passed,
 * else {@code failure} naming the jobs that failed, never reported or could not be read.
 */
record RunStatus(String state, String description) {
  static final String CONTEXT = "soil/run";

  static RunStatus of(List<JobState> states) {
    if (states.stream().allMatch(JobState::green)) {
      return new RunStatus(
          "success", "all " + states.size() + (states.size() == 1 ? " job" : " jobs") + " passed");
    }
    List<String> parts = new ArrayList<>();
    part(parts, "failed: ", states, s -> s.status() != null && s.status() != 0, true);
    part(parts, "never reported: ", states, s -> !s.reported(), false);
    part(parts, "unreadable: ", states, s -> s.problem() != null, false);
    return new RunStatus("failure", String.join("; ", parts));
  }

  private static void part(
      List<String> parts,
      String label,
      List<JobState> states,
      java.util.function.Predicate<JobState> which,
      boolean withStatus) {
    String jobs =
        states.stream()
            .filter(which)
            .map(s -> withStatus ? s.job() + " (" + s.status() + ")" : s.job())
            .collect(Collectors.joining(", "));
    if (!jobs.isEmpty()) {
      parts.add(label + jobs);
    }
  }
}
