package io.soilci.worker.run;

import io.soilci.result.BadInput;
import io.soilci.result.TaskName;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Each task's timeout, from {@code --task-timeout} values: {@code SECONDS} sets the job's default,
 * {@code TASK=SECONDS} one task's own.
 */
public final class TaskTimeouts {
  /** Soil's: 15 minutes. */
  public static final Duration DEFAULT = Duration.ofMinutes(15);

  static final long MAX_SECONDS = 7 * 24 * 3600;

  private final Duration fallback;
  private final Map<String, Duration> perTask;

  private TaskTimeouts(Duration fallback, Map<String, Duration> perTask) {
    this.fallback = fallback;
    this.perTask = Map.copyOf(perTask);
  }

  /** Parses {@code values} for a job whose tasks are {@code tasks}. */
  public static TaskTimeouts parse(List<String> values, List<TaskLine> tasks) {
    Duration fallback = DEFAULT;
    Map<String, Duration> perTask = new HashMap<>();
    Set<String> names = tasks.stream().map(t -> t.name().value()).collect(Collectors.toSet());
    for (String value : values) {
      int eq = value.indexOf('=');
      if (eq < 0) {
        fallback = seconds(value, value);
        continue;
      }
      String task = value.substring(0, eq);
      if (!names.contains(task)) {
        throw new BadInput(
            "--task-timeout '"
                + value
                + "' names task '"
                + task
                + "', which the job does not have");
      }
      perTask.put(task, seconds(value.substring(eq + 1), value));
    }
    return new TaskTimeouts(fallback, perTask);
  }

  public Duration of(TaskName task) {
    return perTask.getOrDefault(task.value(), fallback);
  }

  private static Duration seconds(String text, String value) {
    if (text.matches("[0-9]{1,7}")) {
      long seconds = Long.parseLong(text);
      if (seconds >= 1 && seconds <= MAX_SECONDS) {
        return Duration.ofSeconds(seconds);
      }
    }
    throw new BadInput(
        "--task-timeout '"
            + value
            + "' must be SECONDS or TASK=SECONDS, SECONDS a whole number from 1 to "
            + MAX_SECONDS);
  }
}
