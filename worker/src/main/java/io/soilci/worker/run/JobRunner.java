package io.soilci.worker.run;

import io.soilci.result.ExitStatus;
import io.soilci.result.TaskName;
import io.soilci.result.TaskRow;
import io.soilci.result.TaskRows;
import io.soilci.result.WwzPath;
import io.soilci.threads.Daemons;
import io.soilci.worker.provider.Instance;
import io.soilci.worker.provider.TaskResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.jspecify.annotations.Nullable;

/**
 * Runs a job's tasks in a started instance, up to {@code parallel} at once: a task starts when the
 * tasks it needs have passed, the first ready one in list order first (so with {@code parallel} 1
 * and no needs, one after another in list order); a failing task does not stop the job, but a task
 * that needs it is skipped. Each task's output goes to {@code _tmp/soil/logs/NAME.txt}, its row to
 * {@code INDEX.tsv} in list order. The listener and the progress lines are called on the job's
 * thread only.
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
  private final int parallel;

  JobRunner(
      Instance instance,
      Path checkout,
      TaskTimeouts timeouts,
      long logCap,
      SafeListener listener,
      Progress progress,
      Cancellation cancellation,
      int parallel) {
    this.instance = instance;
    this.checkout = checkout;
    this.timeouts = timeouts;
    this.logCap = logCap;
    this.listener = listener;
    this.progress = progress;
    this.cancellation = cancellation;
    this.parallel = parallel;
  }

  /** A task that ended: its place in the list, its row, and whether its instance broke. */
  private record Ended(int index, TaskRow row, @Nullable String failure) {}

  /**
   * Runs every task (or up to an infrastructure failure) and returns their rows in list order;
   * {@code commit} goes to the listener with the job's start.
   */
  List<TaskRow> run(List<TaskLine> tasks, GitFacts commit) throws IOException {
    Path index = checkout.resolve(WwzPath.INDEX_TSV);
    Files.createDirectories(checkout.resolve(WwzPath.LOGS_DIR));
    Files.write(index, new byte[0]);
    listener.jobStarted(commit);
    Map<TaskName, Integer> position = new HashMap<>();
    for (int i = 0; i < tasks.size(); i++) {
      position.put(tasks.get(i).name(), i);
    }
    TaskRow[] rows = new TaskRow[tasks.size()];
    boolean[] started = new boolean[tasks.size()];
    int indexed = 0; // rows[0 .. indexed) are in INDEX.tsv
    int done = 0;
    int running = 0;
    String stopped = null;
    ExecutorService threads = parallel == 1 ? null : taskThreads();
    ExecutorCompletionService<Ended> ends =
        threads == null ? null : new ExecutorCompletionService<>(threads);
    try {
      while (true) {
        while (stopped == null && cancellation.signal().isEmpty() && running < parallel) {
          int next = nextReady(tasks, started, rows, position);
          if (next < 0) {
            break;
          }
          started[next] = true;
          TaskLine task = tasks.get(next);
          listener.taskStarted(task.name());
          Optional<String> blocked = failedNeed(task, rows, position);
          if (blocked.isPresent()) {
            Ended skipped = skip(next, task, blocked.get());
            done++;
            indexed = ended(skipped, rows, indexed, index, done, tasks.size());
          } else if (ends == null) {
            Ended ended = runTimed(next, task);
            done++;
            indexed = ended(ended, rows, indexed, index, done, tasks.size());
            stopped = ended.failure();
          } else {
            int i = next;
            ends.submit(() -> runTimed(i, task));
            running++;
          }
        }
        if (running == 0) {
          break;
        }
        Ended ended = take(ends);
        running--;
        done++;
        indexed = ended(ended, rows, indexed, index, done, tasks.size());
        if (stopped == null) {
          stopped = ended.failure();
        }
      }
    } finally {
      if (threads != null) {
        threads.shutdownNow();
      }
    }
    List<TaskRow> ran = new ArrayList<>();
    for (int i = 0; i < rows.length; i++) {
      if (rows[i] != null) {
        ran.add(rows[i]);
        if (i >= indexed) {
          append(index, rows[i]); // after a task that never ran (a cancelled or broken job)
        }
      }
    }
    if (cancellation.signal().isPresent()) {
      progress.cancelled(cancellation.signal().get(), tasks.size() - done);
    } else if (stopped != null) {
      progress.stopped(stopped, tasks.size() - done);
    }
    return List.copyOf(ran);
  }

  private static ExecutorService taskThreads() {
    return Executors.newCachedThreadPool(Daemons.numbered("soil-task-"));
  }

  /** The first task in list order not started whose needs all ended; -1 when there is none. */
  private static int nextReady(
      List<TaskLine> tasks, boolean[] started, TaskRow[] rows, Map<TaskName, Integer> position) {
    for (int i = 0; i < tasks.size(); i++) {
      if (!started[i]
          && tasks.get(i).needs().stream()
              .allMatch(n -> rows[position.getOrDefault(n, -1)] != null)) {
        return i;
      }
    }
    return -1;
  }

  /** Why {@code task} cannot run: the first task it needs that did not pass, if any. */
  private static Optional<String> failedNeed(
      TaskLine task, TaskRow[] rows, Map<TaskName, Integer> position) {
    for (TaskName need : task.needs()) {
      TaskRow row = rows[position.getOrDefault(need, -1)];
      if (!row.passed()) {
        return Optional.of(
            "skipped: it needs '"
                + need
                + "', which ended with status "
                + ExitStatus.describe(row.status(), row.elapsedSeconds()));
      }
    }
    return Optional.empty();
  }

  /** On the job's thread: records a task that ended and tells the listener and the progress. */
  private int ended(Ended ended, TaskRow[] rows, int indexed, Path index, int done, int total)
      throws IOException {
    TaskRow row = ended.row();
    rows[ended.index()] = row;
    int next = indexed;
    while (next < rows.length && rows[next] != null) {
      append(index, rows[next]);
      next++;
    }
    listener.taskFinished(row);
    progress.taskFinished(done, total, row, timeouts.of(row.name()));
    return next;
  }

  private static void append(Path index, TaskRow row) throws IOException {
    Files.write(
        index,
        TaskRows.format(List.of(row)).getBytes(StandardCharsets.UTF_8),
        StandardOpenOption.APPEND);
  }

  private static Ended take(@Nullable ExecutorCompletionService<Ended> ends) throws IOException {
    if (ends == null) {
      throw new IllegalStateException("a task runs on its own thread only with --parallel");
    }
    try {
      return ends.take().get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof UncheckedIOException io) {
        throw io.getCause();
      }
      throw new IllegalStateException("a task's thread failed", e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while tasks ran", e);
    }
  }

  /** A task not run: its log says why, its row has {@link ExitStatus#SKIPPED}. */
  private Ended skip(int index, TaskLine task, String reason) throws IOException {
    Path file = checkout.resolve(WwzPath.logOf(task.name()));
    try (CappedLog log = CappedLog.create(file, logCap)) {
      log.note(reason);
    }
    return new Ended(index, rowOf(task, ExitStatus.SKIPPED, 0), null);
  }

  /** Runs {@code task} and times it; on a task's thread with {@code --parallel}. */
  private Ended runTimed(int index, TaskLine task) {
    long start = System.nanoTime();
    try {
      TaskResult result = runLogged(task);
      int status = result.completed() ? result.status() : INFRASTRUCTURE_FAILED;
      return new Ended(
          index, rowOf(task, status, (System.nanoTime() - start) / 1e9), result.failure());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
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

  private static TaskRow rowOf(TaskLine task, int status, double elapsed) {
    return new TaskRow(
        status,
        elapsed,
        task.name(),
        task.command().script(),
        task.command().action(),
        task.resultsUrl());
  }
}
