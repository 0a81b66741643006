package io.soilci.worker.provider;

import java.util.List;

/**
 * The container CLI's arguments that bind-mount a host folder, for any path: {@code --mount} with
 * each field quoted as CSV (podman and docker read it with a CSV reader), so a ':' (which splits
 * {@code -v SRC:DST}), a ',' or '=' (which split {@code --mount}'s fields) or a '"' cannot break
 * it.
 */
public final class BindMount {
  private BindMount() {}

  /** {@code --mount type=bind,"source=HOST","target=GUEST"}. */
  public static List<String> arguments(String host, String guest) {
    return List.of(
        "--mount", "type=bind," + quoted("source=" + host) + "," + quoted("target=" + guest));
  }

  private static String quoted(String field) {
    return "\"" + field.replace("\"", "\"\"") + "\"";
  }
}
