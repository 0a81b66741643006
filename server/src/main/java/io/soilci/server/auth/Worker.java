package io.soilci.server.auth;

import io.soilci.result.BadInput;
import java.util.EnumSet;
import java.util.Set;
import java.util.regex.Pattern;

/** A worker allowed to publish: its name and the site folders it may write. */
public record Worker(String name, Set<Scope> scopes) {
  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");

  public Worker {
    requireName(name);
    if (scopes.isEmpty()) {
      throw new BadInput("worker '" + name + "' needs at least one scope: " + Scope.allNames());
    }
    scopes = Set.copyOf(EnumSet.copyOf(scopes));
  }

  /** {@code name} if it is a valid worker name; else BadInput naming the rule. */
  public static String requireName(String name) {
    if (!NAME.matcher(name).matches()) {
      throw new BadInput(
          "worker name '"
              + io.soilci.result.Printable.of(name)
              + "' must be 1-64 lowercase letters, digits, '.', '_' or '-'");
    }
    return name;
  }

  public boolean may(Scope scope) {
    return scopes.contains(scope);
  }
}
