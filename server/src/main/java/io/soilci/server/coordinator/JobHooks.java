package io.soilci.server.coordinator;

import io.soilci.server.hooks.HookEvent;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/** The hook events the coordinator fires for its jobs and runs (docs/COORDINATOR.md). */
final class JobHooks {
  private JobHooks() {}

  /** The hook {@code event} of {@code job}: its run, status, reason, agent and commit. */
  static HookEvent job(String event, QueuedJob job) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("SOIL_HOST", job.ref.host().id());
    env.put("SOIL_RUN", job.ref.run().value());
    env.put("SOIL_JOB", job.ref.job().value());
    env.put("SOIL_STATUS", Integer.toString(Math.max(job.status, 0)));
    env.put("SOIL_STATUS_TEXT", job.reason);
    env.put("SOIL_COORDINATOR_JOB", Long.toString(job.id));
    env.put("SOIL_AGENT", job.agent == null ? "" : job.agent);
    env.put("SOIL_COMMIT", job.commit);
    return new HookEvent(event, env);
  }

  /**
   * The run-finished hook of {@code ended}'s run once every job of it in {@code jobs} has ended
   * (passed, failed, setup-failed, cancelled, lost or reused); null while one is queued or running.
   * {@code SOIL_STATUS} is the worst status, {@code SOIL_STATUS_TEXT} counts the states.
   */
  static @Nullable HookEvent runFinished(Collection<QueuedJob> jobs, QueuedJob ended) {
    int count = 0;
    int worst = 0;
    Map<String, Integer> states = new TreeMap<>();
    for (QueuedJob job : jobs) {
      if (!job.ref.host().equals(ended.ref.host()) || !job.ref.run().equals(ended.ref.run())) {
        continue;
      }
      if (!job.state.ended()) {
        return null;
      }
      count++;
      worst = Math.max(worst, job.status);
      states.merge(job.state.id(), 1, Integer::sum);
    }
    List<String> text = new ArrayList<>();
    states.forEach((state, n) -> text.add(n + " " + state));
    Map<String, String> env = new LinkedHashMap<>();
    env.put("SOIL_HOST", ended.ref.host().id());
    env.put("SOIL_RUN", ended.ref.run().value());
    env.put("SOIL_COMMIT", ended.commit);
    env.put("SOIL_RUN_PATH", ended.ref.runDir() + "/index.html");
    env.put("SOIL_STATUS", Integer.toString(worst));
    env.put("SOIL_STATUS_TEXT", String.join(", ", text));
    env.put("SOIL_JOBS", Integer.toString(count));
    return new HookEvent(HookEvent.RUN_FINISHED, env);
  }
}
