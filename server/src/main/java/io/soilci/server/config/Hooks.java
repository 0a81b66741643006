package io.soilci.server.config;

import java.util.List;
import java.util.Map;

/** Commands the site runs after events, by event name; each command is an argv list. */
public record Hooks(Map<String, List<String>> commands) {
  public static final Hooks NONE = new Hooks(Map.of());

  public Hooks {
    commands = Map.copyOf(commands);
    commands.values().forEach(List::copyOf);
  }
}
