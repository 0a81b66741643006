package io.soilci.result;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a task's exit status means, in words: 124 is the worker's timeout, 128+N a signal, 253 a
 * task skipped because one it needs did not pass, 255 the worker's own failure; and the worker's
 * log-cap marker line, read back as "log cut at N MiB".
 */
public final class ExitStatus {
  /** The timeout's status, as GNU timeout and Soil use it. */
  public static final int TIMED_OUT = 124;

  /**
   * The worker's status for a task it did not run because a task it needs ({@code # needs:}) did
   * not pass; no shell or signal uses it.
   */
  public static final int SKIPPED = 253;

  private static final List<String> SIGNALS =
      List.of(
          "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE", "KILL", "USR1", "SEGV", "USR2",
          "PIPE", "ALRM", "TERM", "STKFLT", "CHLD", "CONT", "STOP", "TSTP", "TTIN", "TTOU", "URG",
          "XCPU", "XFSZ", "VTALRM", "PROF", "WINCH", "IO", "PWR", "SYS");
  private static final Pattern CAP_MARKER =
      Pattern.compile("^\\[soil-worker: log cut at (\\d+) bytes \\(--log-cap\\)");

  private ExitStatus() {}

  /**
   * A few words for a status, empty for a plain failure: {@code 124} "timed out after 900 s" (the
   * elapsed time, rounded), {@code 137} "killed by SIGKILL", {@code 255} "the worker could not run
   * it", {@code 0} "passed".
   */
  public static String explain(int status, double elapsedSeconds) {
    if (status == 0) {
      return "passed";
    }
    if (status == TIMED_OUT) {
      return "timed out after " + Math.round(elapsedSeconds) + " s";
    }
    if (status == SKIPPED) {
      return "skipped: a task it needs did not pass";
    }
    if (status == 255) {
      return "the worker could not run it";
    }
    if (status > 128 && status <= 128 + SIGNALS.size()) {
      return "killed by SIG" + SIGNALS.get(status - 129);
    }
    return "";
  }

  /** The status with its explanation, e.g. {@code 137 (killed by SIGKILL)}. */
  public static String describe(int status, double elapsedSeconds) {
    String why = explain(status, elapsedSeconds);
    return why.isEmpty() || status == 0 ? String.valueOf(status) : status + " (" + why + ")";
  }

  /** "log cut at 8 MiB" when {@code line} is the worker's log-cap marker. */
  public static Optional<String> capMarker(String line) {
    Matcher m = CAP_MARKER.matcher(line);
    if (!m.find()) {
      return Optional.empty();
    }
    long bytes = Long.parseLong(m.group(1).length() > 18 ? "0" : m.group(1));
    String size =
        bytes % (1 << 20) == 0
            ? bytes / (1 << 20) + " MiB"
            : String.format(Locale.ROOT, "%.1f MiB", bytes / (double) (1 << 20));
    return Optional.of("log cut at " + size);
  }
}
