package io.soilci.server.logview;

import io.soilci.result.TaskRow;
import java.util.Optional;

/**
 * Whose log a view shows: the site's host folder ({@code github-jobs}), run, job and task, the
 * task's row when the job recorded one, and the job's commit when known.
 */
public record LogTask(
    String hostFolder,
    String run,
    String job,
    String task,
    Optional<TaskRow> row,
    Optional<String> commit) {}
