package io.soilci.worker.run;

import io.soilci.result.TaskName;
import io.soilci.result.TaskRow;
import io.soilci.worker.provider.TaskCommand;
import java.util.List;
import java.util.Optional;

/**
 * One line of a job's task list in Soil's format: {@code task_name script action result_html}.
 *
 * @param resultsUrl the path of the task's result page inside the wwz, or {@code -}
 * @param needs the tasks that must pass before this one starts (a {@code # needs:} line above it)
 */
public record TaskLine(
    TaskName name, TaskCommand command, String resultsUrl, List<TaskName> needs) {
  public TaskLine {
    needs = List.copyOf(needs);
  }

  /** A task that needs no other. */
  public TaskLine(TaskName name, TaskCommand command, String resultsUrl) {
    this(name, command, resultsUrl, List.of());
  }

  /** The declared result page, when there is one. */
  public Optional<String> resultPath() {
    return resultsUrl.equals(TaskRow.NONE) ? Optional.empty() : Optional.of(resultsUrl);
  }
}
