package io.soilci.worker.provider;

import java.io.OutputStream;
import java.time.Duration;
import java.util.Map;

/** An instance whose tasks a {@link Supervisor} runs; {@code cleanup} runs after it stops. */
final class SupervisedInstance implements Instance {
  private final Supervisor supervisor;
  private final Map<String, String> facts;
  private final Cleanup cleanup;

  /** What to do once the supervisor has stopped; told whether it ended by itself. */
  interface Cleanup {
    void afterStop(boolean endedCleanly);
  }

  SupervisedInstance(Supervisor supervisor, Map<String, String> facts, Cleanup cleanup) {
    this.supervisor = supervisor;
    this.facts = Map.copyOf(facts);
    this.cleanup = cleanup;
  }

  @Override
  public TaskResult run(TaskCommand task, Duration timeout, OutputStream log) {
    if (!supervisor.isAlive()) {
      return TaskResult.infrastructureFailed("the task runner is gone: " + supervisor.stderrTail());
    }
    return supervisor.run(task, timeout, log);
  }

  @Override
  public void killRunningTask() {
    supervisor.killRunningTask();
  }

  @Override
  public Map<String, String> facts() {
    return facts;
  }

  @Override
  public void close() {
    cleanup.afterStop(supervisor.close(Duration.ofSeconds(10)));
  }
}
