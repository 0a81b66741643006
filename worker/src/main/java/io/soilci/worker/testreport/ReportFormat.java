package io.soilci.worker.testreport;

import java.nio.charset.StandardCharsets;

/** The formats a report can be in, told apart by its first bytes, never by its name. */
enum ReportFormat {
  JUNIT_XML,
  TAP;

  /**
   * The format of a report starting with {@code head}: XML when its first character (after a BOM
   * and blanks) is {@code <}, TAP when its first line that is neither blank nor a {@code #} comment
   * is {@code TAP version N}, a plan {@code 1..N} or a test point.
   *
   * @throws Unreadable naming what was expected
   */
  static ReportFormat of(byte[] head) throws Unreadable {
    String text = new String(head, StandardCharsets.UTF_8);
    if (text.startsWith("\uFEFF")) {
      text = text.substring(1);
    }
    if (text.isBlank()) {
      throw new Unreadable("is empty");
    }
    if (text.strip().startsWith("<")) {
      return JUNIT_XML;
    }
    for (String line : text.split("\n", -1)) {
      String stripped = line.strip();
      if (stripped.isEmpty() || stripped.startsWith("#")) {
        continue;
      }
      if (Tap.startsTap(stripped)) {
        return TAP;
      }
      break;
    }
    throw new Unreadable(
        "is neither JUnit XML (starting with '<') nor TAP (starting with 'TAP version', a plan"
            + " '1..N' or an 'ok'/'not ok' line)");
  }
}
