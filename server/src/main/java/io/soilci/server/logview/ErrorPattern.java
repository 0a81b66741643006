package io.soilci.server.logview;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A kind of line that says what went wrong, e.g. a compiler's {@code file.c:3:5: error: …}.
 *
 * @param tool who prints such lines (shown beside the excerpt), e.g. {@code gcc/clang}
 * @param regex found anywhere in a line's text (colours and escapes removed)
 * @param anchored whether every match must start at the line's start ({@code ^…} with no
 *     alternative beside it), so one attempt there decides, not one at every position
 */
record ErrorPattern(String tool, Pattern regex, boolean anchored) {
  ErrorPattern(String tool, String regex) {
    this(tool, Pattern.compile(regex), anchoredAtStart(regex));
  }

  /** Whether {@code matcher} (of this pattern, reset to a line) matches that line. */
  boolean matches(Matcher matcher) {
    return anchored ? matcher.lookingAt() : matcher.find();
  }

  /**
   * {@code ^} first and no {@code |} outside groups and classes: then {@code lookingAt} and {@code
   * find} agree (without MULTILINE, {@code ^} matches only at the start). Quoting ({@code \Q}) is
   * not parsed: such a pattern is taken as not anchored, which is always correct, only slower.
   */
  static boolean anchoredAtStart(String regex) {
    if (!regex.startsWith("^") || regex.contains("\\Q")) {
      return false;
    }
    int depth = 0;
    boolean inClass = false;
    for (int i = 1; i < regex.length(); i++) {
      char c = regex.charAt(i);
      if (c == '\\') {
        i++;
      } else if (inClass) {
        inClass = c != ']';
      } else if (c == '[') {
        inClass = true;
        if (i + 1 < regex.length() && regex.charAt(i + 1) == '^') {
          i++;
        }
        if (i + 1 < regex.length() && regex.charAt(i + 1) == ']') {
          i++;
        }
      } else if (c == '(') {
        depth++;
      } else if (c == ')') {
        depth--;
      } else if (c == '|' && depth == 0) {
        return false;
      }
    }
    return true;
  }
}
