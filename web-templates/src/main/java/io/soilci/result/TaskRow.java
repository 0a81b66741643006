package io.soilci.result;

import java.util.Optional;

/**
 * One row of a job's {@code INDEX.tsv} / {@code JOB.tsv}: how one task ended.
 *
 * @param status the task's exit status; 124 when its timeout fired
 * @param elapsedSeconds wall time in seconds
 * @param name the task's name
 * @param scriptName the script the task ran, e.g. {@code test/spec-cpp.sh}
 * @param func the function or action given to the script
 * @param resultsUrl a path inside the wwz to the task's result page, or {@code -}
 */
public record TaskRow(
    int status,
    double elapsedSeconds,
    TaskName name,
    String scriptName,
    String func,
    String resultsUrl) {

  /** The value Soil writes for "no result link". */
  public static final String NONE = "-";

  /** A task's elapsed time is at most a year: anything longer is a broken clock or file. */
  public static final double MAX_ELAPSED_SECONDS = 366 * 86_400;

  public TaskRow {
    if (status < 0 || status > 255) {
      throw new BadInput("task " + name + ": status " + status + " must be 0-255");
    }
    if (!(elapsedSeconds >= 0 && elapsedSeconds <= MAX_ELAPSED_SECONDS)) {
      throw new BadInput(
          "task "
              + name
              + ": elapsed "
              + elapsedSeconds
              + " must be 0-"
              + (long) MAX_ELAPSED_SECONDS
              + " seconds");
    }
    requireField(name, "script_name", scriptName);
    requireField(name, "func", func);
    requireField(name, "results_url", resultsUrl);
    if (!resultsUrl.equals(NONE)) {
      WwzPath.require("task " + name + " results_url", resultsUrl);
    }
  }

  public boolean passed() {
    return status == 0;
  }

  /** The result page's path inside the wwz, when the task declared one. */
  public Optional<String> resultPath() {
    return resultsUrl.equals(NONE) ? Optional.empty() : Optional.of(resultsUrl);
  }

  /** This task's log inside the wwz. */
  public String logPath() {
    return WwzPath.logOf(name);
  }

  private static void requireField(TaskName task, String column, String value) {
    if (value.isEmpty() || value.chars().anyMatch(c -> c == '\t' || c == '\n' || c == '\r')) {
      throw new BadInput(
          "task "
              + task
              + ": "
              + column
              + " '"
              + Printable.of(value)
              + "' must be non-empty with no tab or newline");
    }
  }
}
