package io.soilci.worker.provider;

import java.io.OutputStream;
import java.time.Duration;
import java.util.Map;

/**
 * A started provider instance that runs a job's tasks: one at a time, or several at once when
 * {@link #run} is called from several threads (each task then has its own output stream, timeout
 * and process group); close it to stop it.
 */
public interface Instance extends AutoCloseable {
  /**
   * Runs one task with stdin from /dev/null, its stdout and stderr copied to {@code log}. When
   * {@code timeout} passes, every process of the task is killed and the result is {@link
   * TaskResult#timedOut()}.
   */
  TaskResult run(TaskCommand task, Duration timeout, OutputStream log);

  /**
   * Kills every process of the tasks running now, if any (a cancelled job); their {@link #run}
   * calls then return. Safe to call from any thread.
   */
  void killRunningTask();

  /** Facts for the job's metadata, in Soil's keys (e.g. {@code image-pull-time}). */
  Map<String, String> facts();

  /** Stops the instance; tasks' leftover processes end with it. */
  @Override
  void close();
}
