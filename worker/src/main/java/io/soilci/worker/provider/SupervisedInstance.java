package io.soilci.worker.provider;

import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;

/**
 * An instance whose tasks {@link Supervisor}s run; {@code cleanup} runs after they stop. The first
 * supervisor runs one task at a time; tasks run at once each get a supervisor of their own (a
 * "lane", started by {@code lanes} the first time it is needed and kept for later tasks), so each
 * task's output is its own stream and its timeout kills its own process group.
 */
final class SupervisedInstance implements Instance {
  private final Supervisor first;
  private final LaneStarter lanes;
  private final Map<String, String> facts;
  private final Cleanup cleanup;
  private final List<Supervisor> all = new ArrayList<>();
  private final Deque<Supervisor> idle = new ArrayDeque<>();

  /** What to do once the supervisor has stopped; told whether it ended by itself. */
  interface Cleanup {
    void afterStop(boolean endedCleanly);
  }

  /** Starts one more supervisor in the same checkout or container, for a task run beside others. */
  interface LaneStarter {
    Supervisor start() throws IOException;
  }

  SupervisedInstance(
      Supervisor first, LaneStarter lanes, Map<String, String> facts, Cleanup cleanup) {
    this.first = first;
    this.lanes = lanes;
    this.facts = Map.copyOf(facts);
    this.cleanup = cleanup;
    all.add(first);
    idle.add(first);
  }

  @Override
  public TaskResult run(TaskCommand task, Duration timeout, OutputStream log) {
    Supervisor lane;
    try {
      lane = take();
    } catch (IOException e) {
      return TaskResult.infrastructureFailed(
          "another task runner, for a task run beside others, did not start: " + e.getMessage());
    }
    try {
      if (!lane.isAlive()) {
        return TaskResult.infrastructureFailed("the task runner is gone: " + lane.stderrTail());
      }
      return lane.run(task, timeout, log);
    } finally {
      synchronized (this) {
        idle.push(lane);
      }
    }
  }

  /** An idle supervisor, the first one preferably; a new one when all are busy. */
  private Supervisor take() throws IOException {
    synchronized (this) {
      if (idle.remove(first)) {
        return first;
      }
      if (!idle.isEmpty()) {
        return idle.pop();
      }
    }
    Supervisor lane = lanes.start();
    synchronized (this) {
      all.add(lane);
    }
    return lane;
  }

  @Override
  public void killRunningTask() {
    List<Supervisor> now;
    synchronized (this) {
      now = List.copyOf(all);
    }
    now.forEach(Supervisor::killRunningTask);
  }

  @Override
  public Map<String, String> facts() {
    return facts;
  }

  @Override
  public void close() {
    List<Supervisor> others;
    synchronized (this) {
      others = all.subList(1, all.size()).stream().toList();
    }
    // The other lanes first: in a container they run inside the first one's.
    others.forEach(lane -> lane.close(Duration.ofSeconds(10)));
    cleanup.afterStop(first.close(Duration.ofSeconds(10)));
  }
}
