package io.soilci.threads;

import java.time.Duration;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.LoggerFactory;

/**
 * Daemon threads, named for what they do (thread dumps and logs show the name): a background thread
 * never keeps the JVM alive after the main thread ends or a stop was asked.
 */
public final class Daemons {
  private Daemons() {}

  /** Starts {@code task} on a new daemon thread named {@code name}; returns the thread. */
  public static Thread start(String name, Runnable task) {
    Thread thread = of(name, task);
    thread.start();
    return thread;
  }

  /** A daemon thread named {@code name} that runs {@code task}, not started yet. */
  public static Thread of(String name, Runnable task) {
    Thread thread = new Thread(task, name);
    thread.setDaemon(true);
    return thread;
  }

  /** Makes the daemon threads of a pool, each named {@code name}. */
  public static ThreadFactory named(String name) {
    return task -> of(name, task);
  }

  /** Makes the daemon threads of a pool, each named {@code prefix} and its number: 1, 2, … */
  public static ThreadFactory numbered(String prefix) {
    AtomicInteger count = new AtomicInteger();
    return task -> of(prefix + count.incrementAndGet(), task);
  }

  /**
   * Interrupts {@code thread} and waits at most {@code timeout} for it to end; logs a warning
   * naming it when it did not. Returns whether it ended. An interrupt of the caller ends the wait
   * and stays set.
   */
  public static boolean stop(Thread thread, Duration timeout) {
    thread.interrupt();
    try {
      thread.join(timeout.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (thread.isAlive()) {
      LoggerFactory.getLogger(Daemons.class)
          .warn(
              "thread {} did not stop within {} ms; left running",
              thread.getName(),
              timeout.toMillis());
      return false;
    }
    return true;
  }
}
