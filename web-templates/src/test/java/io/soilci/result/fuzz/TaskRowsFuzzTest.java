package io.soilci.result.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.soilci.result.BadInput;
import io.soilci.result.TaskRow;
import io.soilci.result.TaskRows;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.List;

/** Any bytes read as a task table give rows that survive a round trip, or a BadInput naming it. */
class TaskRowsFuzzTest {
  @FuzzTest
  void readsAnyBytesAsRowsOrAMessageNamingTheFile(byte[] data) throws IOException {
    List<TaskRow> rows;
    try {
      rows = TaskRows.read(new ByteArrayInputStream(data), "JOB.tsv");
    } catch (BadInput e) {
      assertThat(e.getMessage()).startsWith("JOB.tsv");
      return;
    }

    String formatted = TaskRows.format(rows);

    assertThat(rows).hasSizeLessThanOrEqualTo(TaskRows.MAX_ROWS);
    assertThat(TaskRows.format(TaskRows.parse(formatted, "again"))).isEqualTo(formatted);
  }
}
