package io.soilci.worker.publish;

import io.soilci.result.JobRef;
import io.soilci.result.TaskName;
import io.soilci.result.TaskRow;
import io.soilci.result.WwzPath;
import io.soilci.threads.Daemons;
import io.soilci.worker.run.JobListener;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.http.HttpRequest.BodyPublishers;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends each running task's log to the server as it grows ({@code POST /log}): a background thread
 * per running task reads {@code _tmp/soil/logs/TASK.txt} once per {@code interval}, at most {@value
 * #CHUNK} bytes a time (so at most that many bytes per interval); when it falls further behind than
 * the server keeps, it skips ahead. Each chunk says where it begins in the log ({@code offset}), so
 * a chunk whose send failed is sent again from there at the next interval and the server keeps
 * bytes it already has once (the answer may have been lost after the server took them). It never
 * blocks a task and never fails the job: after {@value #GIVE_UP_AFTER} failed sends in a row it
 * stops for the rest of the job, and at the first refusal of the token (401, 403: every later send
 * would be refused too) at once, said once ({@link TokenRefusal}, shared with the live events).
 */
final class LogStream implements JobListener {
  static final int CHUNK = 64 * 1024;
  static final int SERVER_KEEPS = 256 * 1024;
  static final int GIVE_UP_AFTER = 3;
  private static final Logger LOG = LoggerFactory.getLogger(LogStream.class);
  private static final Duration SEND_TIMEOUT = Duration.ofSeconds(5);

  private final SoilServer server;
  private final JobRef job;
  private final Path checkout;
  private final Duration interval;
  private final TokenRefusal refusal;
  private final AtomicInteger failuresInARow = new AtomicInteger();
  private final Map<TaskName, Tail> running = new ConcurrentHashMap<>();

  LogStream(SoilServer server, JobRef job, Path checkout, Duration interval) {
    this(server, job, checkout, interval, new TokenRefusal(server.warnings()));
  }

  /** A live log that stops once {@code refusal} (shared with the job's events) is refused. */
  LogStream(SoilServer server, JobRef job, Path checkout, Duration interval, TokenRefusal refusal) {
    this.server = server;
    this.job = job;
    this.checkout = checkout;
    this.interval = interval;
    this.refusal = refusal;
  }

  /** Given up: too many failed sends in a row, or the token refused. */
  private boolean gaveUp() {
    return failuresInARow.get() >= GIVE_UP_AFTER || refusal.refused();
  }

  @Override
  public void taskStarted(TaskName task) {
    stop(task);
    if (!gaveUp()) {
      Tail tail = new Tail(task, checkout.resolve(WwzPath.logOf(task)));
      running.put(task, tail);
      Thread thread = Daemons.of("live-log-" + task, tail);
      tail.thread = thread;
      thread.start();
    }
  }

  @Override
  public void taskFinished(TaskRow row) {
    stop(row.name());
  }

  /**
   * Asks the tail to send what is left and waits for it a bounded time. It is woken, never
   * interrupted: an interrupt would abort a send in flight and lose the task's last lines.
   */
  private void stop(TaskName task) {
    Tail tail = running.remove(task);
    if (tail != null && tail.thread != null) {
      tail.stop();
      try {
        tail.thread.join(SEND_TIMEOUT.toMillis() + 1000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private final class Tail implements Runnable {
    private final TaskName task;
    private final Path log;
    private volatile boolean stopping;
    private @Nullable Thread thread;
    private long position;

    Tail(TaskName task, Path log) {
      this.task = task;
      this.log = log;
    }

    @Override
    public void run() {
      while (!stopping && !gaveUp()) {
        sendNewSafely();
        pause();
      }
      if (!gaveUp()) {
        sendNewSafely(); // the task ended: what it printed last
      }
    }

    synchronized void stop() {
      stopping = true;
      notifyAll();
    }

    /** Waits one interval, or less when the task ends. */
    private synchronized void pause() {
      long end = System.nanoTime() + interval.toNanos();
      try {
        // In a loop: wait() may wake up spuriously, before the interval is over.
        for (long left = interval.toMillis(); !stopping && left > 0; ) {
          wait(left);
          left = TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime());
        }
      } catch (InterruptedException e) {
        stopping = true; // nobody interrupts this thread but the JVM going down
      }
    }

    /** A live log is a courtesy: whatever goes wrong costs a failure, never the thread. */
    private void sendNewSafely() {
      try {
        sendNew();
      } catch (RuntimeException e) {
        failed(e.getMessage());
      }
    }

    private void sendNew() {
      long from = start();
      byte[] chunk = read(from);
      if (chunk.length == 0) {
        return;
      }
      String query =
          "log?workerHost="
              + job.host().id()
              + "&runId="
              + job.run().value()
              + "&jobName="
              + job.job().value()
              + "&task="
              + task.value()
              + "&offset="
              + from;
      Answer answer =
          server.post(
              query, BodyPublishers.ofByteArray(chunk), "text/plain; charset=utf-8", SEND_TIMEOUT);
      if (answer.succeeded()) {
        position = from + chunk.length;
        failuresInARow.set(0);
      } else if (answer.refusesToken()) {
        refusal.refuse(
            String.valueOf(
                answer.failure("live log of " + job + "/" + task, server.base()).getMessage()));
      } else {
        // Sent again from the same offset next time: the server keeps what it has once.
        position = from;
        failed(answer.reason());
      }
    }

    private void failed(@Nullable String reason) {
      if (failuresInARow.incrementAndGet() == GIVE_UP_AFTER) {
        LOG.warn("{}/{}: live log not delivered ({}); giving up on it", job, task, reason);
      }
    }

    /** Where the next chunk begins: the first byte not sent yet, or later when too far behind. */
    private long start() {
      long size = log.toFile().length(); // 0 when not written yet
      return size - position > SERVER_KEEPS ? size - SERVER_KEEPS : position;
    }

    /** At most {@link #CHUNK} bytes of the log from {@code from}. */
    private byte[] read(long from) {
      try (RandomAccessFile file = new RandomAccessFile(log.toFile(), "r")) {
        long size = file.length();
        file.seek(from);
        byte[] buffer = new byte[(int) Math.min(CHUNK, Math.max(0, size - from))];
        int read = file.read(buffer);
        return read <= 0 ? new byte[0] : Arrays.copyOf(buffer, read);
      } catch (IOException e) {
        return new byte[0]; // not written yet
      }
    }
  }
}
