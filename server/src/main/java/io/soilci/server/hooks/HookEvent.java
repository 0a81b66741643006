package io.soilci.server.hooks;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Something a hook may run on, with its facts as environment variables ({@code SOIL_HOST}, {@code
 * SOIL_RUN}, {@code SOIL_JOB}, {@code SOIL_STATUS}, ...).
 */
public record HookEvent(String name, Map<String, String> env) {
  public static final String JOB_PASSED = "job-passed";
  public static final String JOB_FAILED = "job-failed";
  public static final String RUN_FINISHED = "run-finished";

  /** A coordinator job's agent could not set it up (checkout, image, provider). */
  public static final String JOB_SETUP_FAILED = "job-setup-failed";

  /** A coordinator job was cancelled, queued or running. */
  public static final String JOB_CANCELLED = "job-cancelled";

  /**
   * The variable that names one firing of a hook in the distributed mode, {@code
   * SOIL_CHANGES/SEQUENCE/EVENT}: the same when a replica that replays its own changes after a
   * restart fires it again, so a hook can do its work once.
   */
  public static final String DELIVERY = "SOIL_DELIVERY";

  public static final Set<String> NAMES =
      Set.of(JOB_PASSED, JOB_FAILED, RUN_FINISHED, JOB_SETUP_FAILED, JOB_CANCELLED);

  public HookEvent {
    if (!NAMES.contains(name)) {
      throw new IllegalArgumentException("unknown hook event " + name);
    }
    Map<String, String> copy = new LinkedHashMap<>(env);
    copy.put("SOIL_EVENT", name);
    env = java.util.Collections.unmodifiableMap(copy);
  }

  /**
   * This event as fired for the change {@code change} ({@code STREAM/SEQUENCE}): {@link #DELIVERY}.
   */
  public HookEvent delivered(String change) {
    Map<String, String> more = new LinkedHashMap<>(env);
    more.put(DELIVERY, change + "/" + name);
    return new HookEvent(name, more);
  }
}
