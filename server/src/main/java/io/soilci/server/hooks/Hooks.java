package io.soilci.server.hooks;

import io.soilci.server.state.StateLayout;
import io.soilci.threads.Daemons;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the configured commands on a small pool with a bounded queue and a timeout, so that a
 * failing, slow or flooding hook never delays or fails the upload that caused it. With a spool
 * ({@link #spooled}) each queued event is on disk before {@link #submit} returns and until its hook
 * ran, so a crash or a stop loses none: the next start runs it (at least once).
 */
public final class Hooks implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Hooks.class);

  /** The spool of the site's hooks: {@code STATE/hooks/site}. */
  public static final String SITE = "site";

  /** The spool of the coordinator's hooks: {@code STATE/hooks/coordinator}. */
  public static final String COORDINATOR = "coordinator";

  private final HookSettings settings;
  private final @Nullable HookSpool spool;
  private final ThreadPoolExecutor pool;
  // Hooks queued or running: at most threads + queue, as the pool alone held before the spool; the
  // spool never holds more files than this.
  private final Semaphore places;
  private final CountDownLatch started = new CountDownLatch(1);
  private final AtomicLong succeeded = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();

  /** Hooks kept in memory only: running at once, lost by a crash. */
  public Hooks(HookSettings settings) {
    this(settings, null);
    started.countDown();
  }

  private Hooks(HookSettings settings, @Nullable HookSpool spool) {
    this.settings = settings;
    this.spool = spool;
    this.places = new Semaphore(settings.threads() + settings.queue());
    // Unbounded: the places bound it, and a task that just gave its place back may still hold
    // its thread for an instant.
    this.pool =
        new ThreadPoolExecutor(
            settings.threads(),
            settings.threads(),
            30,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(),
            Daemons.named("soil-hook"));
    pool.allowCoreThreadTimeOut(true);
  }

  /**
   * Hooks spooled in {@code STATE/hooks/OWNER} ({@link #SITE}, {@link #COORDINATOR}): the events
   * left there by a crash or a stop are queued again now, oldest first, ahead of any new one; none
   * runs before {@link #start}.
   */
  public static Hooks spooled(HookSettings settings, StateLayout state, String owner)
      throws IOException {
    HookSpool spool = HookSpool.in(state, owner);
    List<HookSpool.Spooled> left = spool.left();
    Hooks hooks = new Hooks(settings, spool);
    for (HookSpool.Spooled event : left) {
      hooks.requeue(event);
    }
    if (!left.isEmpty()) {
      LOG.info(
          "{} hook events left in {} before the last stop queued again",
          left.size(),
          spool.folder());
    }
    return hooks;
  }

  /** From now on queued hooks run. */
  public void start() {
    started.countDown();
  }

  /** True when any hook command is configured (else a change need not make its events). */
  public boolean any() {
    return !settings.commands().isEmpty();
  }

  /** True when a command is configured for the event {@code name}. */
  public boolean runs(String name) {
    return settings.commands().containsKey(name);
  }

  /**
   * Queues the event's command, if one is configured; never blocks on a hook, never throws. With a
   * spool, the event is on disk when this returns (or its write failed, which is logged).
   */
  public void submit(HookEvent event) {
    String command = settings.commands().get(event.name());
    if (command == null) {
      return;
    }
    if (!places.tryAcquire()) {
      drop(event);
      return;
    }
    Path file = null;
    if (spool != null) {
      try {
        file = spool.write(event);
      } catch (IOException | RuntimeException e) {
        LOG.warn(
            "hook {} could not be spooled ({}): it runs from memory only, and a crash before it"
                + " runs loses it: {}",
            event.name(),
            e.toString(),
            event.env());
      }
    }
    queue(event, command, file);
  }

  /** A spooled event left by an earlier server: as {@link #submit}, its file written already. */
  private void requeue(HookSpool.Spooled left) {
    String command = settings.commands().get(left.event().name());
    HookSpool kept = Objects.requireNonNull(spool);
    if (command == null) {
      LOG.warn(
          "hook {} left in the spool is not run: no command is configured for it now: {}",
          left.event().name(),
          left.event().env());
      kept.delete(left.file());
    } else if (!places.tryAcquire()) {
      drop(left.event());
      kept.delete(left.file());
    } else {
      queue(left.event(), command, left.file());
    }
  }

  private void drop(HookEvent event) {
    dropped.incrementAndGet();
    LOG.warn("hook {} dropped: {} hooks already waiting", event.name(), settings.queue());
  }

  private void queue(HookEvent event, String command, @Nullable Path file) {
    try {
      pool.execute(() -> runThenRelease(event, command, file));
    } catch (RejectedExecutionException e) {
      // Only once closed: a spooled event waits for the next start.
      places.release();
      if (file == null) {
        drop(event);
      }
    }
  }

  private void runThenRelease(HookEvent event, String command, @Nullable Path file) {
    try {
      started.await();
      if (run(event, command) && file != null) {
        Objects.requireNonNull(spool).delete(file);
      }
    } catch (InterruptedException e) {
      // Stopped before it ran: it stays in the spool.
      Thread.currentThread().interrupt();
    } finally {
      places.release();
    }
  }

  /** Runs the hook; false when a stop interrupted it (it is killed and runs again, if spooled). */
  private boolean run(HookEvent event, String command) {
    ProcessBuilder builder = new ProcessBuilder("/bin/sh", "-c", command).inheritIO();
    builder.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    // The event's SOIL_* facts are the only SOIL_* variables a hook sees: none leak in from the
    // server's own environment to be mistaken for facts of this event.
    builder.environment().keySet().removeIf(name -> name.startsWith("SOIL_"));
    builder.environment().putAll(event.env());
    Process process;
    try {
      process = builder.start();
    } catch (IOException e) {
      failed.incrementAndGet();
      LOG.warn("hook {} could not start: {}", event.name(), e.getMessage());
      return true;
    }
    try {
      if (!process.waitFor(settings.timeout().toMillis(), TimeUnit.MILLISECONDS)) {
        kill(process);
        failed.incrementAndGet();
        LOG.warn("hook {} killed after {}: {}", event.name(), settings.timeout(), event.env());
      } else if (process.exitValue() != 0) {
        failed.incrementAndGet();
        LOG.warn("hook {} exited {}: {}", event.name(), process.exitValue(), event.env());
      } else {
        succeeded.incrementAndGet();
      }
      return true;
    } catch (InterruptedException e) {
      kill(process);
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** The shell's children (the hook's real work) must not outlive it either. */
  private static void kill(Process process) {
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
  }

  /** Hooks that exited 0. */
  public long succeeded() {
    return succeeded.get();
  }

  /** Hooks that exited non-zero, timed out or could not start. */
  public long failed() {
    return failed.get();
  }

  /** Hooks not run because the queue was full. */
  public long dropped() {
    return dropped.get();
  }

  /**
   * Stops taking hooks; waits a few seconds for running and queued ones. Those still queued then
   * (and those still running, which are killed) stay in the spool for the next start; without a
   * spool they are lost, and logged.
   */
  @Override
  public void close() {
    pool.shutdown();
    try {
      if (started.getCount() > 0 || !pool.awaitTermination(5, TimeUnit.SECONDS)) {
        stopNow();
      }
    } catch (InterruptedException e) {
      stopNow();
      Thread.currentThread().interrupt();
    }
  }

  private void stopNow() {
    int left = pool.getActiveCount() + pool.shutdownNow().size();
    if (left == 0) {
      return;
    }
    if (spool != null) {
      LOG.info(
          "stopping: {} hooks not run yet are left in {} for the next start", left, spool.folder());
    } else {
      LOG.warn("stopping: {} hooks not run yet are lost (no spool)", left);
    }
  }
}
