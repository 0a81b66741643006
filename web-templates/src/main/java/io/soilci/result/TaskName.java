package io.soilci.result;

import org.jspecify.annotations.Nullable;

/** A task's name; it names the task's log file, {@code _tmp/soil/logs/NAME.txt}. */
public record TaskName(String value) {
  public TaskName {
    SafeName.require("task name", value);
  }

  // equals and hashCode by hand, the same as the record's: those are made at their first call out
  // of method handles (ObjectMethods) whose classes JDK 17's CDS archives do not keep, and a
  // run-job's first map of task names spun 15 of them (docs/BENCHMARKS.md, "Worker start-up").
  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof TaskName other && value.equals(other.value);
  }

  @Override
  public int hashCode() {
    return value.hashCode();
  }

  @Override
  public String toString() {
    return value;
  }
}
