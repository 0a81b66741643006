package io.soilci.worker.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.soilci.result.BadInput;
import io.soilci.result.TaskName;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class TaskTimeoutsTest {
  private final List<TaskLine> tasks = TaskList.parse("unit true x -\nspec true y -\n", "t");

  @Test
  void defaultsToFifteenMinutes() {
    TaskTimeouts timeouts = TaskTimeouts.parse(List.of(), tasks);

    assertThat(timeouts.of(new TaskName("unit"))).isEqualTo(Duration.ofMinutes(15));
  }

  @Test
  void takesAJobDefaultAndAPerTaskOverride() {
    TaskTimeouts timeouts = TaskTimeouts.parse(List.of("60", "spec=3600"), tasks);

    assertThat(timeouts.of(new TaskName("unit"))).isEqualTo(Duration.ofSeconds(60));
    assertThat(timeouts.of(new TaskName("spec"))).isEqualTo(Duration.ofHours(1));
  }

  @Test
  void rejectsAnOverrideForATaskTheJobDoesNotHave() {
    assertThatThrownBy(() -> TaskTimeouts.parse(List.of("nope=5"), tasks))
        .isInstanceOf(BadInput.class)
        .hasMessage("--task-timeout 'nope=5' names task 'nope', which the job does not have");
  }

  @Test
  void rejectsSecondsThatAreNotAWholePositiveNumber() {
    assertThatThrownBy(() -> TaskTimeouts.parse(List.of("unit=1.5"), tasks))
        .isInstanceOf(BadInput.class)
        .hasMessage(
            "--task-timeout 'unit=1.5' must be SECONDS or TASK=SECONDS, SECONDS a whole number"
                + " from 1 to 604800");
  }
}
