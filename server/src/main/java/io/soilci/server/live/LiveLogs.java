package io.soilci.server.live;

import io.soilci.collections.Lru;
import io.soilci.result.JobRef;
import io.soilci.result.TaskName;
import io.soilci.server.config.LiveLimits;
import io.soilci.server.http.HttpError;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.function.LongSupplier;
import java.util.function.Predicate;

/**
 * The log tails of running tasks, in memory and bounded: at most {@code maxTasksPerHost} tasks of
 * each host and {@code maxTasksPerWorker} of each worker (past either, that host's or worker's task
 * written to least recently goes first, so nobody evicts another host's or worker's logs), {@code
 * bytesPerTask} each, and a task silent for {@code idleNanos} is forgotten. A job's live log
 * belongs to the worker that started it (its start event, else its first chunk); a job's tails go
 * when its done event arrives. A task's end (its task-done event, or its job's done event) is
 * remembered a while, and {@link #streams()} tells the open event streams of every new line and
 * end.
 */
public final class LiveLogs implements LiveChanges {
  public static final int MAX_CHUNK_BYTES = 64 * 1024;
  public static final int BYTES_PER_TASK = 256 * 1024;
  public static final int MAX_TASKS_PER_HOST = 64;
  public static final int MAX_TASKS_PER_WORKER = 32;
  private static final int MAX_OWNERS = 4096;
  private static final int MAX_ENDED = 4096;
  private static final long IDLE_NANOS = 3600L * 1_000_000_000L;

  private final int maxTasksPerHost;
  private final int maxTasksPerWorker;
  private final int bytesPerTask;
  private final LongSupplier nanos;
  private final Map<TaskKey, TaskLog> logs = new LinkedHashMap<>(16, 0.75f, true);
  private final Map<JobRef, String> owners = Lru.map(MAX_OWNERS);
  private final Map<TaskKey, Integer> ended = Lru.map(MAX_ENDED);
  private final LiveStreams streams;

  LiveLogs(
      int maxTasksPerHost,
      int maxTasksPerWorker,
      int bytesPerTask,
      LongSupplier nanos,
      LiveLimits limits) {
    this.maxTasksPerHost = maxTasksPerHost;
    this.maxTasksPerWorker = maxTasksPerWorker;
    this.bytesPerTask = bytesPerTask;
    this.nanos = nanos;
    this.streams = new LiveStreams(this, limits);
  }

  LiveLogs(int maxTasksPerHost, int maxTasksPerWorker, int bytesPerTask, LongSupplier nanos) {
    this(maxTasksPerHost, maxTasksPerWorker, bytesPerTask, nanos, LiveLimits.DEFAULTS);
  }

  /** With the default bounds of tails and {@code limits} on event streams. */
  public LiveLogs(LiveLimits limits) {
    this(MAX_TASKS_PER_HOST, MAX_TASKS_PER_WORKER, BYTES_PER_TASK, System::nanoTime, limits);
  }

  /** The open event streams of live logs and pages. */
  public LiveStreams streams() {
    return streams;
  }

  @Override
  public void started(JobRef job, String worker) {
    synchronized (logs) {
      String before = owners.put(job, worker);
      if (before != null && !before.equals(worker)) {
        logs.keySet().removeIf(k -> k.job().equals(job));
      } else {
        // Its worker's new attempt counts its logs' offsets from 0 again.
        logs.forEach(
            (k, log) -> {
              if (k.job().equals(job)) {
                log.restartSent();
              }
            });
      }
      // Run again: its tasks are not over.
      ended.keySet().removeIf(k -> k.job().equals(job));
    }
  }

  @Override
  public Optional<String> owner(JobRef job) {
    synchronized (logs) {
      return Optional.ofNullable(owners.get(job));
    }
  }

  @Override
  public long append(JobRef job, TaskName task, String worker, OptionalLong sent, byte[] chunk) {
    long now = nanos.getAsLong();
    TaskKey key = new TaskKey(job, task);
    TaskLog log = open(key, worker, chunk, now);
    log.appendSent(sent, chunk, now);
    streams.appended(key);
    return log.end();
  }

  /**
   * Appends {@code worker}'s chunk at {@code at} (a replica's copy of a chunk another replica
   * accepted, {@link TaskLog#appendAt}), which begins at byte {@code sent} of the worker's log when
   * it said so; returns the task's new end offset. 403 if another worker started the job.
   */
  public long appendAt(
      JobRef job, TaskName task, String worker, LivePosition at, OptionalLong sent, byte[] chunk) {
    long now = nanos.getAsLong();
    TaskKey key = new TaskKey(job, task);
    TaskLog log = open(key, worker, chunk, now);
    log.appendAt(at, sent, chunk, now);
    streams.appended(key);
    return log.end();
  }

  /**
   * How many leading bytes of a chunk of {@code length} bytes that begins at byte {@code sent} of
   * the task's log (as its worker counts) the task's tail holds already: a chunk sent again.
   */
  public int held(JobRef job, TaskName task, long sent, int length) {
    TaskLog log;
    synchronized (logs) {
      log = logs.get(new TaskKey(job, task));
    }
    return log == null ? 0 : log.held(sent, length);
  }

  /**
   * Where {@code worker}'s next chunk of the task goes (the start of a log the server does not
   * keep); 403 if another worker started the job.
   */
  public LivePosition position(JobRef job, TaskName task, String worker) {
    TaskLog log;
    synchronized (logs) {
      String owner = owners.get(job);
      if (owner != null && !owner.equals(worker)) {
        throw notOwner(job, owner, worker);
      }
      log = logs.get(new TaskKey(job, task));
    }
    return log == null ? LivePosition.START : log.position();
  }

  /** The task's log, made when missing, once {@code worker} is found to own the job. */
  private TaskLog open(TaskKey key, String worker, byte[] chunk, long now) {
    if (chunk.length > MAX_CHUNK_BYTES) {
      throw new IllegalArgumentException("chunk of " + chunk.length + " bytes");
    }
    JobRef job = key.job();
    synchronized (logs) {
      String owner = owners.computeIfAbsent(job, j -> worker);
      if (!owner.equals(worker)) {
        throw notOwner(job, owner, worker);
      }
      forgetIdle(now);
      TaskLog log = logs.get(key);
      if (log == null) {
        makeRoom(k -> owners.getOrDefault(k.job(), "").equals(worker), maxTasksPerWorker);
        makeRoom(k -> k.job().host() == job.host(), maxTasksPerHost);
        log = new TaskLog(bytesPerTask, now);
        logs.put(key, log);
      }
      ended.remove(key);
      return log;
    }
  }

  private static HttpError notOwner(JobRef job, String owner, String worker) {
    return HttpError.forbidden(
        "the live log of "
            + job
            + " belongs to worker '"
            + owner
            + "', which started the job; worker '"
            + worker
            + "' may not append to it");
  }

  /** Forgets the least recently written tasks among {@code mine} until fewer than {@code max}. */
  private void makeRoom(Predicate<TaskKey> mine, int max) {
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
      log = logs.get(new TaskKey(job, task));
    }
    return Optional.ofNullable(log).map(l -> l.from(offset));
  }

  /** The whole lines of the task kept from {@code offset} (with the unended one, if over). */
  Optional<LiveLines> lines(TaskKey key, long offset, boolean partial) {
    TaskLog log;
    synchronized (logs) {
      log = logs.get(key);
    }
    return Optional.ofNullable(log).map(l -> l.lines(offset, partial));
  }

  /** The status the task ended with, if it ended a short while ago. */
  OptionalInt endedStatus(TaskKey key) {
    synchronized (logs) {
      Integer status = ended.get(key);
      return status == null ? OptionalInt.empty() : OptionalInt.of(status);
    }
  }

  /** The task ended (its task-done event): its streams get its last lines and the status. */
  @Override
  public void taskEnded(JobRef job, TaskName task, int status) {
    TaskKey key = new TaskKey(job, task);
    synchronized (logs) {
      ended.put(key, status);
    }
    streams.ended(key, status);
  }

  /**
   * Forgets every task of {@code job}: it is done, its logs are in its wwz. Its tasks that had not
   * ended end with the job's {@code status}.
   */
  @Override
  public void drop(JobRef job, int status) {
    List<TaskKey> open;
    synchronized (logs) {
      open = logs.keySet().stream().filter(k -> k.job().equals(job)).toList();
      open.forEach(k -> ended.putIfAbsent(k, status));
    }
    streams.jobEnded(job, status);
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
