package io.soilci.server.logview;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.regex.Pattern;
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
      assertThat(pattern.matches(pattern.regex().matcher(line)))
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
      assertThat(pattern.matches(pattern.regex().matcher(line)))
          .isEqualTo(pattern.regex().matcher(line).find());
    }
  }
}
