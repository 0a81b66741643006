package io.soilci.worker.run;

import io.soilci.result.TaskName;
import io.soilci.result.TaskRow;
import io.soilci.worker.provider.TaskCommand;
import java.util.Optional;

/**
 * One line of a job's task list in Soil's format: {@code task_name script action result_html}.
 *
 * @param resultsUrl the path of the task's result page inside the wwz, or {@code -}
 */
public record TaskLine(TaskName name, TaskCommand command, String resultsUrl) {
  /** The declared result page, when there is one. */
  public Optional<String> resultPath() {
    return resultsUrl.equals(TaskRow.NONE) ? Optional.empty() : Optional.of(resultsUrl);
  }
}
