package io.soilci.result;

import java.util.Arrays;
import java.util.stream.Collectors;

/** A kind of CI host, and the site folder its jobs are published under. */
public enum WorkerHost {
  GITHUB("github", "github-jobs"),
  SOURCEHUT("sourcehut", "sourcehut-jobs");

  private final String id;
  private final String prefix;

  WorkerHost(String id, String prefix) {
    this.id = id;
    this.prefix = prefix;
  }

  /** The name used in requests and in the status API: {@code github}, {@code sourcehut}. */
  public String id() {
    return id;
  }

  /** The site folder of this host's jobs: {@code github-jobs}, {@code sourcehut-jobs}. */
  public String prefix() {
    return prefix;
  }

  /** Parses {@code github} or {@code sourcehut}. */
  public static WorkerHost parse(String value) {
    for (WorkerHost host : values()) {
      if (host.id.equals(value)) {
        return host;
      }
    }
    throw new BadInput(
        "workerHost '" + Printable.of(value) + "' must be one of " + names(WorkerHost::id));
  }

  /** Parses a site folder name: {@code github-jobs} or {@code sourcehut-jobs}. */
  public static WorkerHost fromPrefix(String value) {
    for (WorkerHost host : values()) {
      if (host.prefix.equals(value)) {
        return host;
      }
    }
    throw new BadInput(
        "prefix '" + Printable.of(value) + "' must be one of " + names(WorkerHost::prefix));
  }

  private static String names(java.util.function.Function<WorkerHost, String> name) {
    return Arrays.stream(values()).map(name).collect(Collectors.joining(", "));
  }
}
