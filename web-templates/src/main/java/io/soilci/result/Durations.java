package io.soilci.result;

/** Durations as people read them on result pages. */
public final class Durations {
  private Durations() {}

  /** {@code M:SS}, as Soil shows a job's run time: 65.2 s is {@code 1:05}. */
  public static String minutesSeconds(double seconds) {
    long whole = Math.round(Math.max(0, seconds));
    return (whole / 60) + ":" + String.format("%02d", whole % 60);
  }

  /** {@code 0:42}, {@code 1:05}, or {@code 2h 03m} from an hour on. */
  public static String readable(double seconds) {
    long whole = Math.round(Math.max(0, seconds));
    if (whole < 3600) {
      return minutesSeconds((double) whole);
    }
    return (whole / 3600) + "h " + String.format("%02dm", (whole % 3600) / 60);
  }
}
