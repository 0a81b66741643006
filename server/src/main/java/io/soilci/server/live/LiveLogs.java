package io.soilci.server.live;

import io.soilci.result.JobRef;
import io.soilci.result.TaskName;
import io.soilci.server.http.HttpError;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;
import java.util.function.Predicate;

/**
 * The log tails of running tasks, in memory and bounded: at most {@code maxTasksPerHost} tasks of
 * each host and {@code maxTasksPerWorker} of each worker (past either, that host's or worker's task
 * written to least recently goes first, so nobody evicts another host's or worker's logs), {@code
 * bytesPerTask} each, and a task silent for {@code idleNanos} is forgotten. A job's live log
 * belongs to the worker that started it (its start event, else its first chunk); a job's tails go
 * when its done event arrives.
 */
public final class LiveLogs {
  public static final int MAX_CHUNK_BYTES = 64 * 1024;
  public static final int BYTES_PER_TASK = 256 * 1024;
  public static final int MAX_TASKS_PER_HOST = 64;
  public static final int MAX_TASKS_PER_WORKER = 32;
  private static final int MAX_OWNERS = 4096;
  private static final long IDLE_NANOS = 3600L * 1_000_000_000L;

  private record Key(JobRef job, TaskName task) {}

  private final int maxTasksPerHost;
  private final int maxTasksPerWorker;
  private final int bytesPerTask;
  private final LongSupplier nanos;
  private final Map<Key, TaskLog> logs = new LinkedHashMap<>(16, 0.75f, true);
  private final Map<JobRef, String> owners =
      new LinkedHashMap<>(16, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<JobRef, String> eldest) {
          return size() > MAX_OWNERS;
        }
      };

  LiveLogs(int maxTasksPerHost, int maxTasksPerWorker, int bytesPerTask, LongSupplier nanos) {
    this.maxTasksPerHost = maxTasksPerHost;
    this.maxTasksPerWorker = maxTasksPerWorker;
    this.bytesPerTask = bytesPerTask;
    this.nanos = nanos;
  }

  public LiveLogs() {
    this(MAX_TASKS_PER_HOST, MAX_TASKS_PER_WORKER, BYTES_PER_TASK, System::nanoTime);
  }

  /** {@code worker} sent the job's start event: the job's live log is its alone. */
  public void started(JobRef job, String worker) {
    synchronized (logs) {
      String before = owners.put(job, worker);
      if (before != null && !before.equals(worker)) {
        logs.keySet().removeIf(k -> k.job().equals(job));
      }
    }
  }

  /**
   * Appends {@code worker}'s chunk (at most {@link #MAX_CHUNK_BYTES}); returns the task's new end
   * offset. 403 if another worker started the job.
   */
  public long append(JobRef job, TaskName task, String worker, byte[] chunk) {
    if (chunk.length > MAX_CHUNK_BYTES) {
      throw new IllegalArgumentException("chunk of " + chunk.length + " bytes");
    }
    long now = nanos.getAsLong();
    TaskLog log;
    synchronized (logs) {
      String owner = owners.computeIfAbsent(job, j -> worker);
      if (!owner.equals(worker)) {
        throw HttpError.forbidden(
            "the live log of "
                + job
                + " belongs to worker '"
                + owner
                + "', which started the job; worker '"
                + worker
                + "' may not append to it");
      }
      forgetIdle(now);
      Key key = new Key(job, task);
      log = logs.get(key);
      if (log == null) {
        makeRoom(k -> owners.getOrDefault(k.job(), "").equals(worker), maxTasksPerWorker);
        makeRoom(k -> k.job().host() == job.host(), maxTasksPerHost);
        log = new TaskLog(bytesPerTask, now);
        logs.put(key, log);
      }
    }
    log.append(chunk, now);
    return log.end();
  }

  /** Forgets the least recently written tasks among {@code mine} until fewer than {@code max}. */
  private void makeRoom(Predicate<Key> mine, int max) {
    long count = logs.keySet().stream().filter(mine).count();
    for (var it = logs.keySet().iterator(); it.hasNext() && count >= max; ) {
      if (mine.test(it.next())) {
        it.remove();
        count--;
      }
    }
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
      owners.remove(job);
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
