package io.soilci.result;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TaskRowsTest {
  private static final Path FAILING_JOB =
      Fixtures.soilOriginal().resolve("github-jobs/4101/cpp-small.tsv");

  @Test
  void readsTheOriginalSoilsFileUnchanged() throws Exception {
    List<TaskRow> rows = TaskRows.read(FAILING_JOB, "cpp-small.tsv");

    assertThat(rows).hasSize(3);
    assertThat(rows.get(2))
        .isEqualTo(
            new TaskRow(
                1,
                312.500018,
                new TaskName("unit"),
                "test/unit.sh",
                "all-tests",
                "_test/unit/index.html"));
    assertThat(rows.get(0).resultPath()).isEmpty();
  }

  @Test
  void writesBackTheSameBytes() throws Exception {
    String original = Files.readString(FAILING_JOB, StandardCharsets.UTF_8);

    String written = TaskRows.format(TaskRows.parse(original, "cpp-small.tsv"));

    assertThat(written).isEqualTo(original);
  }

  @Test
  void skipsBlankLinesButCountsThemInLineNumbers() {
    String text = "0\t1.5\ta\ts.sh\ta\t-\n\n0\tx\tb\ts.sh\tb\t-\n";

    assertThatThrownBy(() -> TaskRows.parse(text, "INDEX.tsv"))
        .isInstanceOf(BadInput.class)
        .hasMessage("INDEX.tsv line 3: elapsed 'x' is not a number of seconds");
  }

  @Test
  void rejectsNonIntegerStatusWithLineNumber() {
    String text = "0\t1.0\ta\ts.sh\ta\t-\n0\t1.0\tb\ts.sh\tb\t-\nx\t1.0\tc\ts.sh\tc\t-\n";

    assertThatThrownBy(() -> TaskRows.parse(text, "INDEX.tsv"))
        .isInstanceOf(BadInput.class)
        .hasMessage("INDEX.tsv line 3: status 'x' must be 0-255 in ASCII digits");
  }

  @Test
  void rejectsWrongColumnCount() {
    assertThatThrownBy(() -> TaskRows.parse("0\t1.0\ta\ts.sh\n", "JOB.tsv"))
        .isInstanceOf(BadInput.class)
        .hasMessage(
            "JOB.tsv line 1: has 4 columns, expected 6"
                + " (status, elapsed, name, script_name, func, results_url)");
  }

  @Test
  void rejectsTaskNameThatIsAPath() {
    assertThatThrownBy(() -> TaskRows.parse("0\t1.0\t../x\ts.sh\ta\t-\n", "JOB.tsv"))
        .isInstanceOf(BadInput.class)
        .hasMessage(
            "JOB.tsv line 1: task name '../x' must be 1-100 letters, digits, '.', '_' or '-',"
                + " starting with a letter or digit");
  }

  @Test
  void rejectsResultPathThatEscapesTheZip() {
    assertThatThrownBy(() -> TaskRows.parse("0\t1.0\ta\ts.sh\ta\t../../etc/passwd\n", "JOB.tsv"))
        .isInstanceOf(BadInput.class)
        .hasMessageStartingWith("JOB.tsv line 1: task a results_url '../../etc/passwd' must be");
  }

  @Test
  void rejectsStatusOutOfRangeAndRepeatedNames() {
    assertThatThrownBy(() -> TaskRows.parse("256\t1.0\ta\ts.sh\ta\t-\n", "JOB.tsv"))
        .hasMessage("JOB.tsv line 1: status '256' must be 0-255 in ASCII digits");
    assertThatThrownBy(() -> TaskRows.parse("0\t1\ta\ts\ta\t-\n0\t1\ta\ts\ta\t-\n", "JOB.tsv"))
        .hasMessage("JOB.tsv line 2: task name 'a' repeats");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"+5", "\u0663", "-0", "1000", "0x1", " 1", "1 ", "\uff11", "", "2147483648"})
  void rejectsStatusesThatAreNotPlainAsciiDigits0To255(String status) {
    assertThatThrownBy(() -> TaskRows.parse(status + "\t1.0\ta\ts.sh\ta\t-\n", "JOB.tsv"))
        .isInstanceOf(BadInput.class)
        .hasMessage("JOB.tsv line 1: status '" + status + "' must be 0-255 in ASCII digits");
  }

  @Test
  void rejectsElapsedBeyondAYear() {
    assertThatThrownBy(() -> TaskRows.parse("0\t31622401\ta\ts.sh\ta\t-\n", "JOB.tsv"))
        .isInstanceOf(BadInput.class)
        .hasMessage("JOB.tsv line 1: task a: elapsed 3.1622401E7 must be 0-31622400 seconds");
    assertThatThrownBy(
            () -> new TaskRow(0, Double.NaN, new TaskName("a"), "s.sh", "a", TaskRow.NONE))
        .hasMessage("task a: elapsed NaN must be 0-31622400 seconds");
  }

  @Test
  void rejectsTablesOverTheSizeLimit() {
    String row = "0\t1.0\ta\ts.sh\ta\t" + "x".repeat(TaskRows.MAX_BYTES) + "\n";

    assertThatThrownBy(
            () ->
                TaskRows.read(
                    new java.io.ByteArrayInputStream(row.getBytes(StandardCharsets.UTF_8)),
                    "JOB.tsv"))
        .isInstanceOf(BadInput.class)
        .hasMessage("JOB.tsv is larger than 1048576 bytes");
  }
}
