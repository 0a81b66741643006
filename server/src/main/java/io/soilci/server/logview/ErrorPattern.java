package io.soilci.server.logview;

import java.util.regex.Pattern;

/**
 * A kind of line that says what went wrong, e.g. a compiler's {@code file.c:3:5: error: …}.
 *
 * @param tool who prints such lines (shown beside the excerpt), e.g. {@code gcc/clang}
 * @param regex found anywhere in a line's text (colours and escapes removed)
 */
record ErrorPattern(String tool, Pattern regex) {
  ErrorPattern(String tool, String regex) {
    this(tool, Pattern.compile(regex));
  }

  boolean matches(String plainLine) {
    return regex.matcher(plainLine).find();
  }
}
