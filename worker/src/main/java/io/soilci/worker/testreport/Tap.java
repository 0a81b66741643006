package io.soilci.worker.testreport;

import io.soilci.result.TestResult;
import io.soilci.result.TestStatus;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Reads TAP 13 and 14: each test point ({@code ok}/{@code not ok}, {@code # SKIP}, {@code # TODO})
 * is a test; a failing test's message is the YAML block or {@code #} diagnostics under it; subtests
 * (indented by 4 spaces, TAP 14) are suites named by their {@code # Subtest:} line. Lines are cut
 * at {@link #MAX_LINE_BYTES}; bytes that are not UTF-8 become U+FFFD.
 */
final class Tap {
  static final int MAX_LINE_BYTES = 64 * 1024;

  private static final Pattern TEST =
      Pattern.compile("(not ok|ok)(?=\\s|$)\\s*([0-9]+)?\\s*(?:-\\s+|-$)?(.*)");
  private static final Pattern SUBTEST = Pattern.compile("#\\s*Subtest:?\\s*(.*)");
  private static final Pattern BAIL = Pattern.compile("Bail out!\\s*(.*)");
  private static final Pattern SKIP = Pattern.compile("(?i)skip\\S*\\s*(.*)");
  private static final Pattern TODO = Pattern.compile("(?i)todo\\S*\\s*(.*)");
  private static final Pattern DURATION =
      Pattern.compile("duration_ms:\\s*([0-9]{1,12}(\\.[0-9]+)?)");

  private final CaseSink sink;
  private final List<String> subtests = new ArrayList<>();
  private @Nullable Point pending;
  private boolean inYaml;

  private Tap(CaseSink sink) {
    this.sink = sink;
  }

  /** True when {@code line}, the first that is neither blank nor a comment, starts TAP. */
  static boolean startsTap(String line) {
    return line.startsWith("TAP version")
        || line.matches("1\\.\\.[0-9]+.*")
        || TEST.matcher(line).matches();
  }

  static void read(InputStream in, CaseSink sink) throws IOException, Unreadable {
    Tap tap = new Tap(sink);
    InputStream buffered = new BufferedInputStream(in, 64 * 1024);
    byte[] buffer = new byte[MAX_LINE_BYTES];
    int number = 0;
    while (true) {
      int length = 0;
      int b;
      while ((b = buffered.read()) >= 0 && b != '\n') {
        if (length < MAX_LINE_BYTES) {
          buffer[length++] = (byte) b;
        }
      }
      if (b < 0 && length == 0) {
        break;
      }
      number++;
      tap.line(decode(buffer, length), number);
    }
    tap.flush();
  }

  private static String decode(byte[] bytes, int length) {
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPLACE)
          .onUnmappableCharacter(CodingErrorAction.REPLACE)
          .decode(ByteBuffer.wrap(bytes, 0, length))
          .toString();
    } catch (java.nio.charset.CharacterCodingException e) {
      throw new IllegalStateException("a replacing decoder reported an error", e);
    }
  }

  private void line(String raw, int number) throws Unreadable {
    String text = raw.endsWith("\r") ? raw.substring(0, raw.length() - 1) : raw;
    int indent = 0;
    while (indent < text.length() && text.charAt(indent) == ' ') {
      indent++;
    }
    String line = text.substring(indent);
    Point open = pending;
    if (inYaml) {
      if (line.equals("...")) {
        inYaml = false;
      } else if (open != null) {
        Matcher duration = DURATION.matcher(line);
        if (duration.matches()) {
          open.seconds = Double.parseDouble(duration.group(1)) / 1000;
        } else {
          open.diagnostics.append(text.substring(Math.min(indent, open.indent + 2)) + "\n");
        }
      }
      return;
    }
    if (line.equals("---") && open != null && indent > open.indent) {
      inYaml = true;
      return;
    }
    Matcher subtest = SUBTEST.matcher(line);
    if (subtest.matches()) {
      flush();
      int level = indent / 4;
      while (subtests.size() > level) {
        subtests.remove(subtests.size() - 1);
      }
      while (subtests.size() < level) {
        subtests.add("");
      }
      subtests.add(subtest.group(1).strip());
      return;
    }
    Matcher test = TEST.matcher(line);
    if (test.matches()) {
      flush();
      pending = point(test, indent, number);
      return;
    }
    Matcher bail = BAIL.matcher(line);
    if (bail.matches()) {
      flush();
      sink.add(
          suite(indent / 4), "Bail out!", TestStatus.ERROR, -1, Excerpt.of(bail.group(1)), number);
      return;
    }
    if (line.startsWith("#") && open != null && open.status.isFailing() && indent == open.indent) {
      open.diagnostics.append(line.substring(1).strip() + "\n");
    }
  }

  private Point point(Matcher test, int indent, int number) {
    boolean ok = test.group(1).equals("ok");
    String rest = test.group(3);
    int hash = directiveStart(rest);
    String description = unescape((hash < 0 ? rest : rest.substring(0, hash)).strip());
    String directive = hash < 0 ? "" : rest.substring(hash + 1).strip();
    TestStatus status = ok ? TestStatus.PASS : TestStatus.FAIL;
    String reason = "";
    Matcher skip = SKIP.matcher(directive);
    Matcher todo = TODO.matcher(directive);
    if (skip.matches()) {
      status = TestStatus.SKIP;
      reason = skip.group(1);
    } else if (todo.matches()) {
      status = ok ? TestStatus.PASS : TestStatus.SKIP;
      reason = "TODO " + todo.group(1);
    }
    String name =
        description.isEmpty()
            ? "test " + (test.group(2) == null ? number : test.group(2))
            : description;
    Point point = new Point(indent, number, name, status);
    point.diagnostics.append(reason.strip());
    return point;
  }

  /** Where a test point's directive starts: the first {@code #} not escaped by a backslash. */
  private static int directiveStart(String rest) {
    for (int i = 0; i < rest.length(); i++) {
      char c = rest.charAt(i);
      if (c == '\\') {
        i++;
      } else if (c == '#') {
        return i;
      }
    }
    return -1;
  }

  private static String unescape(String description) {
    return description.replace("\\#", "#").replace("\\\\", "\\");
  }

  private String suite(int level) {
    List<String> names = new ArrayList<>(subtests.subList(0, Math.min(level + 1, subtests.size())));
    names.removeIf(String::isBlank);
    return Texts.cut(String.join(" / ", names), TestResult.MAX_NAME);
  }

  private void flush() throws Unreadable {
    Point open = pending;
    pending = null;
    inYaml = false;
    if (open == null) {
      return;
    }
    int level = open.indent / 4;
    // A subtest's points sit one level below their "# Subtest" line (TAP 14) or beside it.
    String suite = level == 0 ? "" : suite(level);
    sink.add(
        suite,
        Texts.cut(open.name, TestResult.MAX_NAME),
        open.status,
        open.seconds,
        open.status == TestStatus.PASS ? "" : open.diagnostics.toString(),
        open.line);
  }

  /** A test point waiting for its diagnostics. */
  private static final class Point {
    final int indent;
    final int line;
    final String name;
    final TestStatus status;
    final Excerpt diagnostics = new Excerpt();
    double seconds = -1;

    Point(int indent, int line, String name, TestStatus status) {
      this.indent = indent;
      this.line = line;
      this.name = name;
      this.status = status;
    }
  }
}
