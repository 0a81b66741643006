package io.soilci.server.logview;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ErrorPatternTest {
  private static final List<String> LINES =
      List.of(
          "",
          "error: x",
          "  error: x",
          "make: *** [all] Error 2",
          "x|y",
          "a",
          "ba",
          "b",
          "]|b",
          "FAILED tests/test_x.py::test_y",
          "see FAILED above");

  /** One line each default pattern matches, and some near misses. */
  private static final List<String> MATCHING =
      List.of(
          "src/a.c:3:5: error: x",
          "gcc: fatal error: no input files",
          "/usr/bin/ld: a.o: undefined reference to `f'",
          "make[2]: *** [all] Error 2",
          "______ test_x ______",
          "E   assert 1 == 2",
          "FAILED tests/test_x.py::test_y",
          "[ERROR] Tests run: 3",
          "Tests run: 3 <<< FAILURE!",
          "Foo > bar FAILED",
          "    --- FAIL: TestX (0.00s)",
          "FAIL\tpkg 0.1s",
          "panic: boom",
          "error[E0432]: unresolved import",
          "test a::b ... FAILED",
          "thread 'main' panicked at src/main.rs:2:5:",
          "foo: command not found",
          "./ci.sh: line 3: x: unbound variable",
          "sh: 1: foo: not found",
          "Traceback (most recent call last):",
          "ValueError: bad",
          "Exception in thread \"main\" java.lang.Error",
          "Caused by: java.io.IOException",
          "fatal: not a git repository");

  @ParameterizedTest
  @CsvSource(
      delimiter = ';',
      value = {
        "^error: ; true",
        "^(?:FAILED|ERROR) \\S; true",
        "^[|]a; true",
        "^[]|]b; true",
        "^a\\|b; true",
        "^a|b; false",
        "^(a)|b; false",
        "^\\Qa|b\\E; false",
        "error: ; false",
        "a^; false"
      })
  void anAnchoredPatternIsTriedOnceAtTheStartAndFindsWhatFindFinds(String regex, boolean anchored) {
    ErrorPattern pattern = new ErrorPattern("t", regex);

    assertThat(pattern.anchored()).isEqualTo(anchored);
    for (String line : LINES) {
      assertThat(pattern.matches(pattern.regex().matcher(""), line))
          .as("%s on '%s'", regex, line)
          .isEqualTo(Pattern.compile(regex).matcher(line).find());
    }
  }

  @ParameterizedTest
  @CsvSource({"0", "5", "10", "15", "20", "24"})
  void everyDefaultPatternAgreesWithFind(int index) {
    List<ErrorPattern> all = ErrorPatterns.DEFAULTS.patterns();
    ErrorPattern pattern = all.get(Math.min(index, all.size() - 1));
    for (String line : LINES) {
      assertThat(pattern.matches(pattern.regex().matcher(""), line))
          .isEqualTo(pattern.regex().matcher(line).find());
    }
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = ';',
      value = {
        "'^[^\\s:][^:]*+:\\d+:(?:\\d+:)? (?:fatal )?error: '; 'error: '",
        "'^g?make(?:\\[\\d+\\])?: \\*\\*\\* '; ': *** '",
        "'^\\S+: line \\d+: '; ': line '",
        "^\\S+ > .+ FAILED$; ' FAILED'",
        "<<< (?:FAILURE|ERROR)!; '<<< '",
        "'^E {3}'; 'E   '",
        "'^_{3,} .+ _{3,}$'; ' ___'",
        "ab?c; a",
        "ab+c; ab",
        "x{2}yz; xx",
        "x{0,2}yz; yz",
        "(?:q){3}rs; rs",
        "[]ab]cd; cd",
        "a|bcd; ''",
        "(?i)error; ''",
        "\\Qa.b\\E; ''",
        "\\p{Alpha}xyz; ''",
        "[a[b]]cd; ''",
        "a\\.b\\tc; a.b"
      })
  void theTextEveryMatchContainsIsLookedForFirst(String regex, String required) {
    assertThat(ErrorPattern.requiredText(regex)).as(regex).isEqualTo(required);
  }

  @Test
  void everyDefaultPatternFindsWhatFindFindsWithItsRequiredTextLookedForFirst() {
    for (String line : MATCHING) {
      assertThat(ErrorPatterns.DEFAULTS.patterns())
          .as("a default pattern matches '%s'", line)
          .anyMatch(p -> p.regex().matcher(line).find());
    }
    for (ErrorPattern pattern : ErrorPatterns.DEFAULTS.patterns()) {
      for (String line : concat(MATCHING, LINES)) {
        assertThat(pattern.matches(pattern.regex().matcher(""), line))
            .as("%s (required '%s') on '%s'", pattern.regex(), pattern.required(), line)
            .isEqualTo(pattern.regex().matcher(line).find());
      }
    }
  }

  private static List<String> concat(List<String> a, List<String> b) {
    return java.util.stream.Stream.concat(a.stream(), b.stream()).toList();
  }
}
