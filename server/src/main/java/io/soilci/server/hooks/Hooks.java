package io.soilci.server.hooks;

import io.soilci.threads.Daemons;
import java.io.IOException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the configured commands on a small pool with a bounded queue and a timeout, so that a
 * failing, slow or flooding hook never delays or fails the upload that caused it.
 */
public final class Hooks implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Hooks.class);

  private final HookSettings settings;
  private final ThreadPoolExecutor pool;
  private final AtomicLong succeeded = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();

  public Hooks(HookSettings settings) {
    this.settings = settings;
    this.pool =
        new ThreadPoolExecutor(
            settings.threads(),
            settings.threads(),
            30,
            TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(settings.queue()),
            Daemons.named("soil-hook"));
    pool.allowCoreThreadTimeOut(true);
  }

  /** True when any hook command is configured (else a change need not make its events). */
  public boolean any() {
    return !settings.commands().isEmpty();
  }

  /** Queues the event's command, if one is configured; never blocks, never throws. */
  public void submit(HookEvent event) {
    String command = settings.commands().get(event.name());
    if (command == null) {
      return;
    }
    try {
      pool.execute(() -> run(event, command));
    } catch (RejectedExecutionException e) {
      dropped.incrementAndGet();
      LOG.warn("hook {} dropped: {} hooks already waiting", event.name(), settings.queue());
    }
  }

  private void run(HookEvent event, String command) {
    ProcessBuilder builder = new ProcessBuilder("/bin/sh", "-c", command).inheritIO();
    builder.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    // The event's SOIL_* facts are the only SOIL_* variables a hook sees: none leak in from the
    // server's own environment to be mistaken for facts of this event.
    builder.environment().keySet().removeIf(name -> name.startsWith("SOIL_"));
    builder.environment().putAll(event.env());
    try {
      Process process = builder.start();
      if (!process.waitFor(settings.timeout().toMillis(), TimeUnit.MILLISECONDS)) {
        // The shell's children (the hook's real work) must not outlive the timeout either.
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        failed.incrementAndGet();
        LOG.warn("hook {} killed after {}: {}", event.name(), settings.timeout(), event.env());
      } else if (process.exitValue() != 0) {
        failed.incrementAndGet();
        LOG.warn("hook {} exited {}: {}", event.name(), process.exitValue(), event.env());
      } else {
        succeeded.incrementAndGet();
      }
    } catch (IOException e) {
      failed.incrementAndGet();
      LOG.warn("hook {} could not start: {}", event.name(), e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
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

  /** Stops taking hooks; waits a few seconds for running ones. */
  @Override
  public void close() {
    pool.shutdown();
    try {
      if (!pool.awaitTermination(5, TimeUnit.SECONDS)) {
        pool.shutdownNow();
      }
    } catch (InterruptedException e) {
      pool.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }
}
