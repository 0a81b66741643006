package io.soilci.server.live;

import io.soilci.result.JobRef;
import io.soilci.result.TaskName;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * The log tails of running tasks, in memory and bounded: at most {@code maxTasks} tasks (the one
 * written to least recently goes first), {@code bytesPerTask} each, and a task silent for {@code
 * idleNanos} is forgotten. A job's tails go when its done event arrives.
 */
public final class LiveLogs {
  public static final int MAX_CHUNK_BYTES = 64 * 1024;
  public static final int BYTES_PER_TASK = 256 * 1024;
  public static final int MAX_TASKS = 128;
  private static final long IDLE_NANOS = 3600L * 1_000_000_000L;

  private record Key(JobRef job, TaskName task) {}

  private final int maxTasks;
  private final int bytesPerTask;
  private final LongSupplier nanos;
  private final Map<Key, TaskLog> logs = new LinkedHashMap<>(16, 0.75f, true);

  LiveLogs(int maxTasks, int bytesPerTask, LongSupplier nanos) {
    this.maxTasks = maxTasks;
    this.bytesPerTask = bytesPerTask;
    this.nanos = nanos;
  }

  public LiveLogs() {
    this(MAX_TASKS, BYTES_PER_TASK, System::nanoTime);
  }

  /** Appends a chunk (at most {@link #MAX_CHUNK_BYTES}); returns the task's new end offset. */
  public long append(JobRef job, TaskName task, byte[] chunk) {
    if (chunk.length > MAX_CHUNK_BYTES) {
      throw new IllegalArgumentException("chunk of " + chunk.length + " bytes");
    }
    long now = nanos.getAsLong();
    TaskLog log;
    synchronized (logs) {
      forgetIdle(now);
      log = logs.computeIfAbsent(new Key(job, task), k -> new TaskLog(bytesPerTask, now));
      if (logs.size() > maxTasks) {
        logs.remove(logs.keySet().iterator().next());
      }
    }
    log.append(chunk, now);
    return log.end();
  }

  /** The task's kept bytes from {@code offset}, if the server holds a live log of the task. */
  Optional<LiveTail> read(JobRef job, TaskName task, long offset) {
    TaskLog log;
    synchronized (logs) {
      forgetIdle(nanos.getAsLong());
      log = logs.get(new Key(job, task));
    }
    return Optional.ofNullable(log).map(l -> l.from(offset));
  }

  /** Forgets every task of {@code job}: it is done, its logs are in its wwz. */
  public void drop(JobRef job) {
    synchronized (logs) {
      logs.keySet().removeIf(k -> k.job().equals(job));
    }
  }

  int size() {
    synchronized (logs) {
      return logs.size();
    }
  }

  private void forgetIdle(long now) {
    logs.values().removeIf(l -> now - l.lastAppendNanos() > IDLE_NANOS);
  }
}
