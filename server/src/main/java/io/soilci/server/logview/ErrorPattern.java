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
 * @param required text every match contains (may be empty), looked for before the regex is tried:
 *     most lines lack it, and a plain search costs far less than a regex
 */
record ErrorPattern(String tool, Pattern regex, boolean anchored, String required) {
  ErrorPattern(String tool, String regex) {
    this(tool, Pattern.compile(regex), anchoredAtStart(regex), requiredText(regex));
  }

  /** Whether {@code line} matches; {@code matcher} is one of this pattern's, reused. */
  boolean matches(Matcher matcher, String line) {
    if (!line.contains(required)) {
      return false;
    }
    matcher.reset(line);
    return anchored ? matcher.lookingAt() : matcher.find();
  }

  /**
   * The longest run of literal characters in {@code regex} outside any group, class or optional
   * part, which every match therefore contains; empty when there is none or the regex has what this
   * does not read (a top-level {@code |}, inline flags, quoting, {@code \p}, {@code \x}, …), which
   * is always correct, only slower.
   */
  static String requiredText(String regex) {
    if (regex.matches("(?s).*(\\\\[QEpPxuck0-9N]|\\(\\?[a-zA-Z-]|&&|\\[[^\\]]*\\[).*")) {
      return "";
    }
    String best = "";
    StringBuilder run = new StringBuilder();
    for (int i = 0; i < regex.length(); ) {
      char c = regex.charAt(i);
      int next = i + 1;
      boolean literal = false;
      if (c == '\\' && next < regex.length()) {
        c = regex.charAt(next);
        next++;
        literal = !Character.isLetterOrDigit(c);
      } else if (c == '(' || c == '[') {
        next = skipGroup(regex, i);
      } else if (c == '{') {
        next = regex.indexOf('}', i) < 0 ? regex.length() : regex.indexOf('}', i) + 1;
      } else if (c == '|') {
        return "";
      } else {
        literal = "^$.?*+\\".indexOf(c) < 0;
      }
      char quantifier = next < regex.length() ? regex.charAt(next) : 0;
      int times =
          quantifier == '{' ? minimum(regex, next) : quantifier == '?' || quantifier == '*' ? 0 : 1;
      if (literal) {
        run.append(String.valueOf(c).repeat(times));
      }
      if (!literal || times != 1 || quantifier == '+' || quantifier == '{') {
        best = run.length() > best.length() ? run.toString() : best;
        run.setLength(0);
      }
      i = next;
    }
    return run.length() > best.length() ? run.toString() : best;
  }

  /** The least count of {@code {n}}, {@code {n,}} or {@code {n,m}} at {@code at} (at most 8). */
  private static int minimum(String regex, int at) {
    int n = 0;
    for (int i = at + 1; i < regex.length() && Character.isDigit(regex.charAt(i)) && n < 8; i++) {
      n = n * 10 + regex.charAt(i) - '0';
    }
    return Math.min(n, 8);
  }

  /** The index just past the group or class that opens at {@code start}. */
  private static int skipGroup(String regex, int start) {
    int depth = 0;
    boolean inClass = false;
    for (int i = start; i < regex.length(); i++) {
      char c = regex.charAt(i);
      if (c == '\\') {
        i++;
      } else if (inClass) {
        if (c == ']' && !(i > 0 && (regex.charAt(i - 1) == '[' || regex.startsWith("[^", i - 2)))) {
          inClass = false;
          if (depth == 0) {
            return i + 1;
          }
        }
      } else if (c == '[') {
        inClass = true;
      } else if (c == '(') {
        depth++;
      } else if (c == ')' && --depth == 0) {
        return i + 1;
      }
    }
    return regex.length();
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
