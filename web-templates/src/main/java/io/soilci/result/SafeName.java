package io.soilci.result;

/**
 * The one rule for names that become path segments: runs, jobs, tasks, the status API's run ids.
 */
public final class SafeName {
  private SafeName() {}

  /** True when {@code value} may be a path segment. */
  public static boolean isSafe(String value) {
    // [A-Za-z0-9][A-Za-z0-9._-]{0,99}, without a regex: asked on every request and for every job
    // of a run each time the run changes.
    int n = value.length();
    if (n < 1 || n > 100 || !isAlnum(value.charAt(0))) {
      return false;
    }
    for (int i = 1; i < n; i++) {
      char c = value.charAt(i);
      if (!isAlnum(c) && c != '.' && c != '_' && c != '-') {
        return false;
      }
    }
    return true;
  }

  private static boolean isAlnum(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
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
