package io.soilci.worker.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.soilci.result.BadInput;
import java.util.List;
import org.junit.jupiter.api.Test;

class TaskListTest {
  private static final String SOURCE = "tasks file 'jobs.txt'";

  @Test
  void readsSoilsHeredocFormatSkippingBlankLinesAndComments() {
    String text =
        "# the dev-minimal job\n"
            + "\n"
            + "os-info     soil/diagnose.sh  os-info    -\n"
            + "  unit\ttest/unit.sh all-tests _test/unit/index.html  \n";

    List<TaskLine> tasks = TaskList.parse(text, SOURCE);

    assertThat(tasks).hasSize(2);
    assertThat(tasks.get(0).name().value()).isEqualTo("os-info");
    assertThat(tasks.get(0).command().script()).isEqualTo("soil/diagnose.sh");
    assertThat(tasks.get(0).command().action()).isEqualTo("os-info");
    assertThat(tasks.get(0).resultPath()).isEmpty();
    assertThat(tasks.get(1).resultPath()).contains("_test/unit/index.html");
  }

  @Test
  void rejectsALineWithTooFewFieldsNamingItsLine() {
    assertThatThrownBy(() -> TaskList.parse("a true x -\n\nb true\n", SOURCE))
        .isInstanceOf(BadInput.class)
        .hasMessage(
            "tasks file 'jobs.txt' line 3: expected 4 fields 'task_name script action"
                + " result_html' ('-' for no result), got 2: 'b true'");
  }

  @Test
  void rejectsARepeatedTaskName() {
    assertThatThrownBy(() -> TaskList.parse("a true x -\nb true x -\na false x -\n", SOURCE))
        .isInstanceOf(BadInput.class)
        .hasMessage("tasks file 'jobs.txt' line 3: task name 'a' repeats (first on line 1)");
  }

  @Test
  void rejectsATaskNameWithASlash() {
    assertThatThrownBy(() -> TaskList.parse("a/b true x -\n", SOURCE))
        .isInstanceOf(BadInput.class)
        .hasMessage(
            "tasks file 'jobs.txt' line 1: task name 'a/b' must be 1-100 letters, digits, '.',"
                + " '_' or '-', starting with a letter or digit");
  }

  @Test
  void rejectsATaskNameOfDotDot() {
    assertThatThrownBy(() -> TaskList.parse("ok true x -\n.. true x -\n", SOURCE))
        .isInstanceOf(BadInput.class)
        .hasMessageStartingWith("tasks file 'jobs.txt' line 2: task name '..' must be");
  }

  @Test
  void rejectsAResultPathLeavingTheCheckout() {
    assertThatThrownBy(() -> TaskList.parse("a true x ../etc/passwd\n", SOURCE))
        .isInstanceOf(BadInput.class)
        .hasMessageStartingWith("tasks file 'jobs.txt' line 1: result_html '../etc/passwd' must");
  }

  @Test
  void rejectsAListWithNoTasks() {
    assertThatThrownBy(() -> TaskList.parse("# nothing\n\n", SOURCE))
        .isInstanceOf(BadInput.class)
        .hasMessage(
            "tasks file 'jobs.txt' has no tasks; each line is 'task_name script action"
                + " result_html'");
  }

  @Test
  void readsTheNeedsCommentAboveATaskLine() {
    List<TaskLine> tasks =
        TaskList.parse(
            "build b.sh x -\nlint l.sh x -\n# needs: build, lint\nunit u.sh x -\n# other\n",
            SOURCE);

    assertThat(tasks.get(0).needs()).isEmpty();
    assertThat(tasks.get(2).needs()).extracting(n -> n.value()).containsExactly("build", "lint");
  }

  @Test
  void refusesBadNeedsNamingTheLine() {
    assertNeedsRefused(
        "a t x -\n# needs: b\nc t x -\n",
        "line 2: task 'c' needs 'b', which the task list does not have");
    assertNeedsRefused("# needs: a\na t x -\n", "line 1: task 'a' needs itself");
    assertNeedsRefused("a t x -\n# needs: a a\nb t x -\n", "line 2: '# needs:' names 'a' twice");
    assertNeedsRefused(
        "a t x -\n# needs:\nb t x -\n",
        "line 2: '# needs:' names no task; write '# needs: TASK...'");
    assertNeedsRefused(
        "a t x -\n# needs: a\n# needs: a\nb t x -\n",
        "line 3: a second '# needs:' line before one task (the first is line 2); name all of its"
            + " needs on one line");
    assertNeedsRefused(
        "a t x -\n\n# needs: a\n",
        "line 3: '# needs:' has no task line after it; put it right above the task that needs"
            + " them");
    assertNeedsRefused(
        "# needs: b\na t x -\n# needs: a\nb t x -\n",
        "line 1: task 'a' needs itself through a cycle: a -> b -> a; a task may only need tasks"
            + " that do not need it");
  }

  @Test
  void aChainOfTenThousandNeedsIsCheckedWithoutRecursion() {
    StringBuilder text = new StringBuilder("t0 t x -\n");
    for (int i = 1; i < TaskList.MAX_TASKS; i++) {
      text.append("# needs: t").append(i - 1).append("\nt").append(i).append(" t x -\n");
    }

    assertThat(TaskList.parse(text.toString(), SOURCE)).hasSize(TaskList.MAX_TASKS);
  }

  private static void assertNeedsRefused(String text, String message) {
    assertThatThrownBy(() -> TaskList.parse(text, SOURCE))
        .isInstanceOf(BadInput.class)
        .hasMessage(SOURCE + " " + message);
  }
}
