package io.soilci.result;

import java.util.regex.Pattern;

/**
 * The one rule for names that become path segments: runs, jobs, tasks, the status API's run ids.
 */
public final class SafeName {
  private static final Pattern VALID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");

  private SafeName() {}

  /** True when {@code value} may be a path segment. */
  public static boolean isSafe(String value) {
    return VALID.matcher(value).matches();
  }

  /** {@code value} when it may be a path segment; else bad input naming {@code what}. */
  public static String require(String what, String value) {
    if (!isSafe(value)) {
      throw new BadInput(
          what
              + " '"
              + Printable.of(value)
              + "' must be 1-100 letters, digits, '.', '_' or '-', starting with a letter or"
              + " digit");
    }
    return value;
  }
}
