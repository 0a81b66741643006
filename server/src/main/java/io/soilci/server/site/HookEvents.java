package io.soilci.server.site;

import io.soilci.result.JobFile;
import io.soilci.server.hooks.HookEvent;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** The hook events a change fires: job-passed or job-failed, then run-finished. */
final class HookEvents {
  private HookEvents() {}

  static List<HookEvent> of(Change change) {
    List<HookEvent> events = new ArrayList<>();
    if (!change.jobFinished()) {
      return events;
    }
    JobEntry job = Objects.requireNonNull(change.after().jobs().get(change.job().job().value()));
    Map<String, String> env = runEnv(change);
    env.put("SOIL_JOB", job.name().value());
    env.put("SOIL_STATUS", Integer.toString(job.maxStatus()));
    env.put("SOIL_STATUS_TEXT", job.statusText());
    env.put("SOIL_JOB_PATH", change.job().file(JobFile.WWZ) + "/");
    events.add(
        new HookEvent(job.maxStatus() == 0 ? HookEvent.JOB_PASSED : HookEvent.JOB_FAILED, env));
    if (change.runFinished()) {
      Map<String, String> runEnv = runEnv(change);
      int max =
          change.after().jobs().values().stream().mapToInt(JobEntry::maxStatus).max().orElse(0);
      runEnv.put("SOIL_STATUS", Integer.toString(max));
      runEnv.put("SOIL_JOBS", Integer.toString(change.after().jobs().size()));
      events.add(new HookEvent(HookEvent.RUN_FINISHED, runEnv));
    }
    return events;
  }

  private static Map<String, String> runEnv(Change change) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("SOIL_HOST", change.host().id());
    env.put("SOIL_RUN", change.after().id().value());
    env.put("SOIL_COMMIT", change.after().commit());
    env.put("SOIL_RUN_PATH", change.job().runDir() + "/index.html");
    return env;
  }
}
