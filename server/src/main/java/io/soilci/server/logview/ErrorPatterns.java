package io.soilci.server.logview;

import io.soilci.result.BadInput;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.PatternSyntaxException;

/** The lines that count as errors in a log: defaults for common tools, or configured ones. */
public record ErrorPatterns(List<ErrorPattern> patterns) {
  /**
   * Lines that gcc, clang, make, pytest, Maven/JUnit, go test, cargo, shells, Python, Java print.
   */
  public static final ErrorPatterns DEFAULTS =
      new ErrorPatterns(
          List.of(
              new ErrorPattern("gcc/clang", "^[^\\s:][^:]*+:\\d+:(?:\\d+:)? (?:fatal )?error: "),
              new ErrorPattern(
                  "gcc/clang",
                  "^(?:\\S*/)?(?:gcc|g\\+\\+|cc|c\\+\\+|clang(?:\\+\\+)?|ld|collect2)(?:-\\d+)?:"
                      + " (?:fatal )?error: "),
              new ErrorPattern("linker", "undefined reference to "),
              new ErrorPattern("make", "^g?make(?:\\[\\d+\\])?: \\*\\*\\* "),
              new ErrorPattern("pytest", "^_{3,} .+ _{3,}$"),
              new ErrorPattern("pytest", "^E {3}"),
              new ErrorPattern("pytest", "^(?:FAILED|ERROR) \\S"),
              new ErrorPattern("Maven", "^\\[ERROR\\] "),
              new ErrorPattern("JUnit", "<<< (?:FAILURE|ERROR)!"),
              new ErrorPattern("Gradle", "^\\S+ > .+ FAILED$"),
              new ErrorPattern("go test", "^\\s*--- FAIL: "),
              new ErrorPattern("go test", "^FAIL\\s"),
              new ErrorPattern("go", "^panic: "),
              new ErrorPattern("cargo", "^error(?:\\[E\\d{4}\\])?: "),
              new ErrorPattern("cargo test", "^test \\S+ \\.\\.\\. FAILED$"),
              new ErrorPattern("Rust", "^thread '.*'(?: \\(\\d+\\))? panicked at "),
              new ErrorPattern("shell", ": command not found$"),
              new ErrorPattern("shell", "^\\S+: line \\d+: "),
              new ErrorPattern("shell", "^(?:\\S*/)?(?:da)?sh: \\d+: "),
              new ErrorPattern("Python", "^Traceback \\(most recent call last\\):"),
              new ErrorPattern("Python", "^\\w+(?:\\.\\w+)*(?:Error|Exception)(?:: |$)"),
              new ErrorPattern("Java", "^Exception in thread \""),
              new ErrorPattern("Java", "^Caused by: "),
              new ErrorPattern("any", "^(?:FATAL|[Ff]atal|ERROR|[Ee]rror)(?::| -) ")));

  public ErrorPatterns {
    patterns = List.copyOf(patterns);
  }

  /**
   * Patterns from a configuration: each a Java regular expression, found anywhere in a line's text.
   */
  public static ErrorPatterns of(String what, List<String> regexes) {
    List<ErrorPattern> out = new ArrayList<>();
    for (String regex : regexes) {
      try {
        out.add(new ErrorPattern("configured", regex));
      } catch (PatternSyntaxException e) {
        throw new BadInput(
            what
                + " '"
                + regex
                + "' must be a Java regular expression: "
                + e.getDescription()
                + " at index "
                + e.getIndex());
      }
    }
    return new ErrorPatterns(out);
  }

  /** These patterns, then {@code later} ones. */
  public ErrorPatterns and(ErrorPatterns later) {
    List<ErrorPattern> all = new ArrayList<>(patterns);
    all.addAll(later.patterns);
    return new ErrorPatterns(all);
  }
}
