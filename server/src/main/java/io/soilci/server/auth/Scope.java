package io.soilci.server.auth;

import io.soilci.result.BadInput;
import io.soilci.result.SiteLayout;
import io.soilci.result.WorkerHost;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Collectors;

/** A site folder a worker may write. */
public enum Scope {
  GITHUB_JOBS(SiteLayout.hostDir(WorkerHost.GITHUB)),
  SOURCEHUT_JOBS(SiteLayout.hostDir(WorkerHost.SOURCEHUT)),
  STATUS_API(SiteLayout.STATUS_API);

  private final String folder;

  Scope(String folder) {
    this.folder = folder;
  }

  public String folder() {
    return folder;
  }

  /** The scope that writes {@code host}'s jobs. */
  public static Scope of(WorkerHost host) {
    return host == WorkerHost.GITHUB ? GITHUB_JOBS : SOURCEHUT_JOBS;
  }

  /** Parses a folder name, e.g. {@code github-jobs}; {@code what} names the input in errors. */
  public static Scope parse(String what, String value) {
    for (Scope scope : values()) {
      if (scope.folder.equals(value)) {
        return scope;
      }
    }
    throw new BadInput(what + " '" + value + "' must be one of " + allNames());
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
    return Arrays.stream(values()).map(Scope::folder).collect(Collectors.joining(", "));
  }
}
