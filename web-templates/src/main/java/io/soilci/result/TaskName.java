package io.soilci.result;

/** A task's name; it names the task's log file, {@code _tmp/soil/logs/NAME.txt}. */
public record TaskName(String value) {
  public TaskName {
    SafeName.require("task name", value);
  }

  @Override
  public String toString() {
    return value;
  }
}
