package io.soilci.worker.run;

import io.soilci.result.TaskRow;
import io.soilci.result.TaskRows;
import io.soilci.result.WwzPath;
import io.soilci.worker.provider.Instance;
import io.soilci.worker.provider.TaskResult;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Runs a job's tasks one after another in a started instance: a failing task does not stop the job.
 * Each task's output goes to {@code _tmp/soil/logs/NAME.txt}, its row to {@code INDEX.tsv}.
 */
final class JobRunner {
  /** The status recorded for a task whose instance broke: its own status is unknown. */
  static final int INFRASTRUCTURE_FAILED = 255;

  private final Instance instance;
  private final Path checkout;
  private final TaskTimeouts timeouts;
  private final long logCap;
  private final SafeListener listener;
  private final Progress progress;
  private final Cancellation cancellation;

  JobRunner(
      Instance instance,
      Path checkout,
      TaskTimeouts timeouts,
      long logCap,
      SafeListener listener,
      Progress progress,
      Cancellation cancellation) {
    this.instance = instance;
    this.checkout = checkout;
    this.timeouts = timeouts;
    this.logCap = logCap;
    this.listener = listener;
    this.progress = progress;
    this.cancellation = cancellation;
  }

  /** Runs every task (or up to an infrastructure failure) and returns their rows. */
  List<TaskRow> run(List<TaskLine> tasks) throws IOException {
    Path index = checkout.resolve(WwzPath.INDEX_TSV);
    Files.createDirectories(checkout.resolve(WwzPath.LOGS_DIR));
    Files.write(index, new byte[0]);
    listener.jobStarted();
    List<TaskRow> rows = new ArrayList<>();
    for (TaskLine task : tasks) {
      if (cancellation.signal().isPresent()) {
        progress.cancelled(cancellation.signal().get(), tasks.size() - rows.size());
        break;
      }
      listener.taskStarted(task.name());
      long start = System.nanoTime();
      TaskResult result = runLogged(task);
      TaskRow row = rowOf(task, result, (System.nanoTime() - start) / 1e9);
      rows.add(row);
      Files.write(
          index,
          TaskRows.format(List.of(row)).getBytes(StandardCharsets.UTF_8),
          StandardOpenOption.APPEND);
      listener.taskFinished(row);
      progress.taskFinished(rows.size(), tasks.size(), row, timeouts.of(task.name()));
      if (cancellation.signal().isPresent()) {
        progress.cancelled(cancellation.signal().get(), tasks.size() - rows.size());
        break;
      }
      if (!result.completed()) {
        progress.stopped(String.valueOf(result.failure()), tasks.size() - rows.size());
        break;
      }
    }
    return List.copyOf(rows);
  }

  private TaskResult runLogged(TaskLine task) throws IOException {
    Path file = checkout.resolve(WwzPath.logOf(task.name()));
    try (CappedLog log = CappedLog.create(file, logCap)) {
      TaskResult result = instance.run(task.command(), timeouts.of(task.name()), log);
      Optional<StopSignal> stop = cancellation.signal();
      if (stop.isPresent()) {
        // Whatever the killed task reported (137, or 255 if its runner died with the worker's
        // process group), it ended because the job was cancelled.
        log.note("the job was cancelled by " + stop.get().signalName() + "; the task was killed");
        return TaskResult.completed(stop.get().exitStatus());
      }
      if (!result.completed()) {
        log.note("the task's outcome is unknown: " + result.failure());
      }
      return result;
    }
  }

  private static TaskRow rowOf(TaskLine task, TaskResult result, double elapsed) {
    int status = result.completed() ? result.status() : INFRASTRUCTURE_FAILED;
    return new TaskRow(
        status,
        elapsed,
        task.name(),
        task.command().script(),
        task.command().action(),
        task.resultsUrl());
  }
}
