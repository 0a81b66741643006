package io.soilci.server.logview;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.soilci.result.BadInput;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Objects;
import org.junit.jupiter.api.Test;

/** Each fixture is the real output of the tool (gcc, pytest, cargo, bash, python3, java here). */
class ErrorFinderTest {
  private static Excerpt excerptOf(String fixture) throws IOException {
    try (InputStream in =
        Objects.requireNonNull(ErrorFinderTest.class.getResourceAsStream(fixture))) {
      return excerptOf(in, ErrorPatterns.DEFAULTS);
    }
  }

  private static Excerpt excerptOf(InputStream in, ErrorPatterns patterns) throws IOException {
    ErrorFinder finder = new ErrorFinder(patterns);
    LineReader lines = new LineReader(in, 64 * 1024);
    while (lines.next()) {
      finder.line(lines.text());
    }
    return finder.excerpt();
  }

  private static String plain(Excerpt.Line line) {
    return AnsiHtml.plain(line.text());
  }

  private static List<String> firstError(Excerpt excerpt) {
    return excerpt.brief(2).stream().map(ErrorFinderTest::plain).toList();
  }

  @Test
  void gccErrorNotItsWarning() throws IOException {
    Excerpt excerpt = excerptOf("gcc.txt");

    assertThat(excerpt.blocks().get(0).tool()).isEqualTo("gcc/clang");
    assertThat(excerpt.blocks().get(0).errorLine()).isEqualTo(5);
    assertThat(firstError(excerpt))
        .containsExactly(
            "broken.c:4:18: error: \u2018y\u2019 undeclared (first use in this function)",
            "    4 |   printf(\"%d\\n\", y);");
  }

  @Test
  void clangErrorThenMake() throws IOException {
    Excerpt excerpt = excerptOf("clang.txt");

    assertThat(excerpt.blocks()).extracting(Excerpt.Block::errorLine).containsExactly(5L);
    assertThat(firstError(excerpt).get(0))
        .isEqualTo("parse.c:17:12: error: use of undeclared identifier 'buf'");
    assertThat(excerpt.blocks().get(0).lines())
        .extracting(Excerpt.Line::number)
        .containsExactly(3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L);
  }

  @Test
  void pytestFailureHeaderAndAssertion() throws IOException {
    Excerpt excerpt = excerptOf("pytest.txt");

    Excerpt.Block first = excerpt.blocks().get(0);
    assertThat(first.tool()).isEqualTo("pytest");
    assertThat(plain(excerpt.brief(1).get(0)))
        .isEqualTo(
            "___________________________________ test_add"
                + " ___________________________________");
    assertThat(first.lines())
        .extracting(ErrorFinderTest::plain)
        .contains("E       assert -1 == 5", "E        +  where -1 = add(2, 3)");
  }

  @Test
  void mavenSurefireFailure() throws IOException {
    Excerpt excerpt = excerptOf("maven.txt");

    assertThat(excerpt.blocks().get(0).tool()).isEqualTo("Maven");
    assertThat(firstError(excerpt))
        .containsExactly(
            "[ERROR] Tests run: 2, Failures: 1, Errors: 0, Skipped: 0, Time elapsed: 0.041 s"
                + " <<< FAILURE! -- in org.example.CalcTest",
            "[ERROR] org.example.CalcTest.addsTwoNumbers -- Time elapsed: 0.012 s <<< FAILURE!");
    assertThat(plain(excerpt.tail().get(excerpt.tail().size() - 2)))
        .isEqualTo("[INFO] BUILD FAILURE");
  }

  @Test
  void goTestFailure() throws IOException {
    Excerpt excerpt = excerptOf("gotest.txt");

    assertThat(excerpt.blocks().get(0).tool()).isEqualTo("go test");
    assertThat(excerpt.blocks().get(0).errorLine()).isEqualTo(5);
    assertThat(excerpt.blocks().get(0).lines())
        .extracting(ErrorFinderTest::plain)
        .startsWith("=== RUN   TestAdd", "    calc_test.go:14: Add(2, 3) = -1, want 5");
  }

  @Test
  void cargoTestFailureAndPanic() throws IOException {
    Excerpt excerpt = excerptOf("cargo.txt");

    assertThat(excerpt.blocks().get(0).tool()).isEqualTo("cargo test");
    assertThat(plain(excerpt.brief(1).get(0))).isEqualTo("test tests::adds_three ... FAILED");
    assertThat(excerpt.blocks().get(0).lines())
        .extracting(ErrorFinderTest::plain)
        .contains("thread 'tests::adds_three' (10595) panicked at src/lib.rs:8:23:");
  }

  @Test
  void shellTraceNamesTheLastCommandAndTheMissingOne() throws IOException {
    Excerpt excerpt = excerptOf("shell.txt");

    assertThat(excerpt.blocks().get(0).tool()).isEqualTo("shell");
    assertThat(plain(excerpt.brief(1).get(0)))
        .isEqualTo("t.sh: line 5: frobnicate: command not found");
    assertThat(excerpt.lastCommand()).map(ErrorFinderTest::plain).hasValue("+ frobnicate --all");
  }

  @Test
  void pythonTraceback() throws IOException {
    Excerpt excerpt = excerptOf("python.txt");

    assertThat(excerpt.blocks().get(0).tool()).isEqualTo("Python");
    assertThat(excerpt.blocks().get(0).errorLine()).isEqualTo(2);
    assertThat(excerpt.blocks().get(0).lines())
        .extracting(ErrorFinderTest::plain)
        .contains(
            "FileNotFoundError: [Errno 2] No such file or directory:"
                + " '/nonexistent/config.json'");
  }

  @Test
  void javaExceptionAndCause() throws IOException {
    Excerpt excerpt = excerptOf("java.txt");

    assertThat(excerpt.blocks().get(0).tool()).isEqualTo("Java");
    assertThat(plain(excerpt.brief(1).get(0)))
        .isEqualTo(
            "Exception in thread \"main\" java.lang.IllegalStateException: bad config value");
    assertThat(excerpt.blocks().get(0).lines())
        .extracting(ErrorFinderTest::plain)
        .contains("Caused by: java.lang.NumberFormatException: For input string: \"x1\"");
  }

  @Test
  void withoutAnErrorTheBriefIsTheEnd() throws IOException {
    String log = "step 1\nstep 2\n\nall quiet\n";

    Excerpt excerpt =
        excerptOf(new java.io.ByteArrayInputStream(log.getBytes(UTF_8)), ErrorPatterns.DEFAULTS);

    assertThat(excerpt.blocks()).isEmpty();
    assertThat(excerpt.lines()).isEqualTo(4);
    assertThat(excerpt.brief(2)).extracting(Excerpt.Line::text).containsExactly("", "all quiet");
  }

  @Test
  void atMostThreeBlocksAndTheTailOfAHugeLog() throws IOException {
    StringBuilder log = new StringBuilder();
    for (int i = 1; i <= 20_000; i++) {
      log.append(i % 1000 == 0 ? "error: number " + i : "ok " + i).append('\n');
    }

    Excerpt excerpt =
        excerptOf(
            new java.io.ByteArrayInputStream(log.toString().getBytes(UTF_8)),
            ErrorPatterns.DEFAULTS);

    assertThat(excerpt.blocks())
        .extracting(Excerpt.Block::errorLine)
        .containsExactly(1000L, 2000L, 3000L);
    assertThat(excerpt.tail())
        .extracting(Excerpt.Line::number)
        .containsExactly(
            19991L, 19992L, 19993L, 19994L, 19995L, 19996L, 19997L, 19998L, 19999L, 20000L);
  }

  @Test
  void configuredPatternsReplaceTheDefaults() throws IOException {
    ErrorPatterns mine = ErrorPatterns.of("logView.errorPatterns", List.of("^OOPS"));

    Excerpt excerpt =
        excerptOf(new java.io.ByteArrayInputStream("error: x\nOOPS y\n".getBytes(UTF_8)), mine);

    assertThat(excerpt.blocks()).extracting(Excerpt.Block::errorLine).containsExactly(2L);
  }

  @Test
  void rejectsAConfiguredPatternThatIsNoRegex() {
    assertThatThrownBy(() -> ErrorPatterns.of("logView.errorPatterns", List.of("a(b")))
        .isInstanceOf(BadInput.class)
        .hasMessage(
            "logView.errorPatterns 'a(b' must be a Java regular expression: Unclosed group at"
                + " index 3");
  }
}
