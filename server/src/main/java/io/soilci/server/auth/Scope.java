package io.soilci.server.auth;

import io.soilci.result.BadInput;
import io.soilci.result.SiteLayout;
import io.soilci.result.WorkerHost;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What a worker may write: a site folder, or (the {@code add-} scopes) only new jobs in a host's
 * folder, never one that exists, so a token given to an untrusted build cannot change results
 * published before.
 */
public enum Scope {
  GITHUB_JOBS(SiteLayout.hostDir(WorkerHost.GITHUB), SiteLayout.hostDir(WorkerHost.GITHUB)),
  SOURCEHUT_JOBS(
      SiteLayout.hostDir(WorkerHost.SOURCEHUT), SiteLayout.hostDir(WorkerHost.SOURCEHUT)),
  STATUS_API(SiteLayout.STATUS_API, SiteLayout.STATUS_API),
  ADD_GITHUB_JOBS(
      "add-" + SiteLayout.hostDir(WorkerHost.GITHUB), SiteLayout.hostDir(WorkerHost.GITHUB)),
  ADD_SOURCEHUT_JOBS(
      "add-" + SiteLayout.hostDir(WorkerHost.SOURCEHUT), SiteLayout.hostDir(WorkerHost.SOURCEHUT)),
  /** Submit runs to the coordinator and cancel its jobs (docs/COORDINATOR.md). */
  SUBMIT("submit", ""),
  /** Take jobs from the coordinator and report on them, as one agent (docs/COORDINATOR.md). */
  AGENT("agent", "");

  private final String id;
  private final String folder;

  Scope(String id, String folder) {
    this.id = id;
    this.folder = folder;
  }

  /**
   * What {@code add-worker --scopes} and {@code workers.json} call it, e.g. {@code github-jobs}.
   */
  public String id() {
    return id;
  }

  /** The site folder it writes to; empty for the coordinator's scopes, which write none. */
  public String folder() {
    return folder;
  }

  /** True for the scopes that only add new jobs. */
  public boolean addOnly() {
    return this == ADD_GITHUB_JOBS || this == ADD_SOURCEHUT_JOBS;
  }

  /** The scope that writes {@code host}'s jobs. */
  public static Scope of(WorkerHost host) {
    return host == WorkerHost.GITHUB ? GITHUB_JOBS : SOURCEHUT_JOBS;
  }

  /** The scope that only adds new jobs of {@code host}. */
  public static Scope addOnly(WorkerHost host) {
    return host == WorkerHost.GITHUB ? ADD_GITHUB_JOBS : ADD_SOURCEHUT_JOBS;
  }

  /** Parses a scope's id, e.g. {@code github-jobs}; {@code what} names the input in errors. */
  public static Scope parse(String what, String value) {
    for (Scope scope : values()) {
      if (scope.id.equals(value)) {
        return scope;
      }
    }
    throw new BadInput(what + " '" + value + "' must be one of " + allNames());
  }

  /** Parses a folder a whole-folder scope writes, e.g. {@code status-api} (wwup's payload-type). */
  public static Scope parseFolder(String what, String value) {
    for (Scope scope : values()) {
      if (!scope.addOnly() && !scope.folder.isEmpty() && scope.folder.equals(value)) {
        return scope;
      }
    }
    throw new BadInput(
        what
            + " '"
            + value
            + "' must be one of "
            + Arrays.stream(values())
                .filter(s -> !s.addOnly() && !s.folder.isEmpty())
                .map(Scope::folder)
                .collect(Collectors.joining(", ")));
  }

  /** Parses a comma-separated list, e.g. {@code github-jobs,status-api}. */
  public static Set<Scope> parseList(String what, String list) {
    Set<Scope> scopes = EnumSet.noneOf(Scope.class);
    for (String item : list.split(",", -1)) {
      scopes.add(parse(what, item.trim()));
    }
    return scopes;
  }

  static String allNames() {
    return Arrays.stream(values()).map(Scope::id).collect(Collectors.joining(", "));
  }
}
