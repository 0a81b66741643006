package io.soilci.result;

import java.util.regex.Pattern;

/** The one rule for names that become path segments: jobs, tasks, runs. */
final class SafeName {
  private static final Pattern VALID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");

  private SafeName() {}

  static String require(String what, String value) {
    if (!VALID.matcher(value).matches()) {
      throw new BadInput(
          what
              + " '"
              + printable(value)
              + "' must be 1-100 letters, digits, '.', '_' or '-', starting with a letter or"
              + " digit");
    }
    return value;
  }

  /** The value as it can be quoted in a one-line message: control characters escaped, cut. */
  static String printable(String value) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < value.length() && out.length() < 120; i++) {
      char c = value.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        out.append(String.format("\\x%02x", (int) c));
      } else {
        out.append(c);
      }
    }
    return value.length() > 120 ? out + "..." : out.toString();
  }
}
