package io.soilci.worker.testreport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.soilci.result.TestResult;
import io.soilci.result.TestStatus;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each dialect of JUnit XML and TAP, from fixtures as the tools write them. */
class DialectsTest {
  @TempDir Path checkout;

  private List<TestResult> read(String fixture) throws Exception {
    return Reports.read(checkout, Reports.fixture(checkout, fixture, "reports/" + fixture));
  }

  @Test
  void mavenSurefire() throws Exception {
    List<TestResult> rows = read("surefire.xml");

    assertThat(rows)
        .extracting(TestResult::suite, TestResult::name, TestResult::status)
        .containsExactly(
            tuple("io.soilci.demo.ParserTest", "parsesEmpty", TestStatus.PASS),
            tuple("io.soilci.demo.ParserTest", "parsesNested", TestStatus.FAIL),
            tuple("io.soilci.demo.ParserTest", "readsFile", TestStatus.ERROR),
            tuple("io.soilci.demo.ParserTest", "later", TestStatus.SKIP),
            tuple("io.soilci.demo.ParserTest", "flakyOnce", TestStatus.PASS));
    TestResult failed = rows.get(1);
    assertThat(failed.message())
        .startsWith("org.opentest4j.AssertionFailedError: expected: <2> but was: <3>\n\tat ")
        .doesNotContain("parsing nested");
    assertThat(failed.seconds()).isEqualTo(0.042);
    assertThat(failed.report()).isEqualTo("reports/surefire.xml");
    assertThat(failed.line()).isEqualTo(8);
    assertThat(rows.get(3).message()).isEqualTo("not implemented yet");
  }

  @Test
  void gradle() throws Exception {
    assertThat(read("gradle.xml"))
        .extracting(TestResult::name, TestResult::status, TestResult::message)
        .containsExactly(
            tuple("adds()", TestStatus.PASS, ""),
            tuple(
                "divides by zero()",
                TestStatus.FAIL,
                "java.lang.AssertionError: expected ArithmeticException\n"
                    + "\tat org.example.CalculatorTest.dividesByZero(CalculatorTest.java:22)"),
            tuple("roundsHalfEven()", TestStatus.SKIP, ""));
  }

  @Test
  void pytest() throws Exception {
    List<TestResult> rows = read("pytest.xml");

    assertThat(rows)
        .extracting(TestResult::suite, TestResult::name, TestResult::status)
        .containsExactly(
            tuple("test_x", "test_ok", TestStatus.PASS),
            tuple("test_x", "test_bad", TestStatus.FAIL),
            tuple("test_x", "test_skip", TestStatus.SKIP),
            tuple("test_x", "test_err", TestStatus.ERROR));
    assertThat(rows.get(1).message())
        .startsWith("AssertionError: numbers differ\nassert 1 == 2\ndef test_bad():");
    assertThat(rows.get(2).message()).isEqualTo("/home/ci/app/test_x.py:6: not today");
    assertThat(rows.get(3).message().lines()).hasSize(10);
  }

  @Test
  void goThroughGotestsum() throws Exception {
    List<TestResult> rows = read("gotestsum.xml");

    assertThat(rows)
        .extracting(TestResult::suite, TestResult::name, TestResult::status)
        .containsExactly(
            tuple("example.com/app/store", "TestPut", TestStatus.PASS),
            tuple("example.com/app/store", "TestGet/missing_key", TestStatus.PASS),
            tuple("example.com/app/api", "TestHandler", TestStatus.FAIL),
            tuple("example.com/app/api", "TestSlow", TestStatus.SKIP));
    assertThat(rows.get(2).message())
        .isEqualTo(
            "Failed\n=== RUN   TestHandler\n    api_test.go:41: status 500, want 200\n"
                + "--- FAIL: TestHandler (0.30s)");
    assertThat(rows.get(2).seconds()).isEqualTo(0.3);
  }

  @Test
  void ctestWithItsStatusAttributeAndOutputAsTheMessage() throws Exception {
    assertThat(read("ctest.xml"))
        .extracting(TestResult::name, TestResult::status, TestResult::message)
        .containsExactly(
            tuple("passes", TestStatus.PASS, ""),
            tuple("fails", TestStatus.FAIL, "boom"),
            tuple("skipped", TestStatus.SKIP, "SKIP_RETURN_CODE=77"));
  }

  @Test
  void junit5ConsoleLauncher() throws Exception {
    assertThat(read("junit5-console.xml"))
        .extracting(TestResult::suite, TestResult::name, TestResult::status)
        .containsExactly(
            tuple("org.example.GreeterTest", "greets()", TestStatus.PASS),
            tuple("org.example.GreeterTest", "shouts()", TestStatus.FAIL),
            tuple("org.example.GreeterTest", "whispers()", TestStatus.SKIP));
  }

  @Test
  void nestedSuitesNameTheSuiteByTheirPath() throws Exception {
    List<TestResult> rows = read("nested.xml");

    assertThat(rows)
        .extracting(TestResult::suite, TestResult::name, TestResult::status)
        .containsExactly(
            tuple("jest tests / cart / totals", "sums prices", TestStatus.PASS),
            tuple("jest tests / cart / totals", "applies discount", TestStatus.FAIL),
            tuple("jest tests / cart", "is empty at first", TestStatus.PASS));
    assertThat(rows.get(1).message())
        .isEqualTo("Error: expect(received).toBe(expected)\n\nExpected: 90\nReceived: 100");
  }

  @Test
  void tap14WithSubtestsDirectivesAndDiagnostics() throws Exception {
    List<TestResult> rows = read("tap14.tap");

    assertThat(rows)
        .extracting(TestResult::suite, TestResult::name, TestResult::status, TestResult::line)
        .containsExactly(
            tuple("parser", "reads a line", TestStatus.PASS, 5),
            tuple("parser", "reads a # mark", TestStatus.FAIL, 6),
            tuple("", "parser", TestStatus.PASS, 11),
            tuple("", "network", TestStatus.SKIP, 12),
            tuple("", "flaky thing", TestStatus.SKIP, 13),
            tuple("", "writes a file", TestStatus.FAIL, 14));
    assertThat(rows.get(1).message()).isEqualTo("message: 'expected \"#\" got \"\"'");
    assertThat(rows.get(1).seconds()).isEqualTo(0.013);
    assertThat(rows.get(3).message()).isEqualTo("no network here");
    assertThat(rows.get(4).message()).isEqualTo("TODO fix later");
    assertThat(rows.get(5).message())
        .isEqualTo("Failed test 'writes a file'\nat t/write.t line 12.");
  }

  @Test
  void tap13WithAPlanAtTheEnd() throws Exception {
    assertThat(read("tap13.tap"))
        .extracting(TestResult::name, TestResult::status, TestResult::message)
        .containsExactly(
            tuple("first", TestStatus.PASS, ""),
            tuple("second", TestStatus.FAIL, "message: 'second failed'\nseverity: fail"),
            tuple("test 3", TestStatus.PASS, ""));
  }

  @Test
  void theFormatIsToldByContentNotByName() throws Exception {
    Path tapNamedXml = Reports.fixture(checkout, "tap13.tap", "r/TEST-a.xml");
    Path xmlNamedTap = Reports.fixture(checkout, "gradle.xml", "r/b.tap");

    List<TestResult> rows = Reports.read(checkout, tapNamedXml, xmlNamedTap);

    assertThat(rows).extracting(TestResult::name).contains("second", "divides by zero()");
    assertThat(rows).noneMatch(r -> r.status() == TestStatus.UNREADABLE);
  }
}
