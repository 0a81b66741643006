package io.soilci.server.hooks;

import java.time.Duration;
import java.util.Map;

/**
 * Which shell command runs on which event, and the bounds every hook runs within.
 *
 * @param commands event name ({@code job-passed}, {@code job-failed}, {@code run-finished}) to a
 *     command for {@code /bin/sh -c}; facts arrive in the environment, never in the command text
 * @param threads hooks running at once
 * @param queue hooks waiting at most; more are dropped (and logged)
 * @param timeout a hook running longer is killed
 */
public record HookSettings(Map<String, String> commands, int threads, int queue, Duration timeout) {
  /** No hooks. */
  public static final HookSettings NONE = new HookSettings(Map.of(), 2, 100, Duration.ofMinutes(1));

  public HookSettings {
    commands = Map.copyOf(commands);
    for (String event : commands.keySet()) {
      if (!HookEvent.NAMES.contains(event)) {
        throw new IllegalArgumentException(
            "hook event '" + event + "' must be one of " + String.join(", ", HookEvent.NAMES));
      }
    }
    if (threads < 1 || queue < 1) {
      throw new IllegalArgumentException(
          "hook threads and queue must be >= 1: " + threads + ", " + queue);
    }
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("hook timeout must be positive: " + timeout);
    }
  }

  /** These settings with {@code command} run on {@code event}. */
  public HookSettings with(String event, String command) {
    Map<String, String> copy = new java.util.HashMap<>(commands);
    copy.put(event, command);
    return new HookSettings(copy, threads, queue, timeout);
  }
}
