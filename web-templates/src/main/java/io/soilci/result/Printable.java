package io.soilci.result;

/** A value as it can be quoted in a one-line message: control characters escaped, cut short. */
public final class Printable {
  private static final int MAX = 120;

  private Printable() {}

  public static String of(String value) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < value.length() && out.length() < MAX; i++) {
      char c = value.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        out.append(String.format("\\x%02x", (int) c));
      } else {
        out.append(c);
      }
    }
    return value.length() > MAX ? out + "..." : out.toString();
  }
}
