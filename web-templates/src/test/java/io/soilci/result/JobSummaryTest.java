package io.soilci.result;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class JobSummaryTest {
  @Test
  void namesTheOneFailedTask() {
    JobSummary summary = summary(row("a", 0, 1.0), row("unit", 1, 64.4), row("c", 0, 0.2));

    assertThat(summary.passed()).isFalse();
    assertThat(summary.statusText()).isEqualTo("task unit");
    assertThat(summary.maxStatus()).isEqualTo(1);
    assertThat(summary.elapsedText()).isEqualTo("1:06");
  }

  @Test
  void countsSeveralFailures() {
    JobSummary summary = summary(row("a", 2, 1.0), row("b", 124, 900.0), row("c", 0, 0.2));

    assertThat(summary.statusText()).isEqualTo("2 of 3 tasks failed");
    assertThat(summary.maxStatus()).isEqualTo(124);
  }

  @Test
  void passesWhenEveryTaskPassed() {
    assertThat(summary(row("a", 0, 1.0)).statusText()).isEqualTo("passed");
  }

  @Test
  void formatsDurationsForPeople() {
    assertThat(Durations.readable(42.4)).isEqualTo("0:42");
    assertThat(Durations.readable(65)).isEqualTo("1:05");
    assertThat(Durations.readable(7380)).isEqualTo("2h 03m");
    assertThat(Durations.minutesSeconds(7380)).isEqualTo("123:00");
  }

  private static JobSummary summary(TaskRow... rows) {
    return new JobSummary(new JobName("job"), List.of(rows));
  }

  private static TaskRow row(String name, int status, double elapsed) {
    return new TaskRow(status, elapsed, new TaskName(name), "s.sh", name, TaskRow.NONE);
  }
}
