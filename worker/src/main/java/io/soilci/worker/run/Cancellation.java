package io.soilci.worker.run;

import io.soilci.worker.provider.Instance;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/**
 * A job told to stop by a signal: the running task's processes are killed, no further task starts,
 * and what ran is packaged and published as cancelled. The signal arrives on its own thread; the
 * job's thread asks {@link #signal()} between tasks.
 */
public final class Cancellation {
  private final AtomicReference<@Nullable StopSignal> signal = new AtomicReference<>();
  private volatile @Nullable Instance instance;

  /**
   * Cancels the job with {@code stop} and kills its running task, if any; returns false (and does
   * nothing more) when it was cancelled already.
   */
  public boolean cancel(StopSignal stop) {
    if (!signal.compareAndSet(null, stop)) {
      return false;
    }
    killRunningTask();
    return true;
  }

  /** The signal that cancelled the job, or empty while it may go on. */
  public Optional<StopSignal> signal() {
    return Optional.ofNullable(signal.get());
  }

  /** Kills the process group of the task running now, if any (again: a task may just start). */
  public void killRunningTask() {
    Instance now = instance;
    if (now != null) {
      now.killRunningTask();
    }
  }

  /** {@code running} runs the job's tasks from now on; null once it stopped. */
  void running(@Nullable Instance running) {
    this.instance = running;
    if (running != null && signal.get() != null) {
      running.killRunningTask();
    }
  }
}
