package io.soilci.e2e;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Real git in a test folder. */
final class Git {
  private final Path dir;

  Git(Path dir) {
    this.dir = dir;
  }

  String run(String... args) throws Exception {
    List<String> command =
        new ArrayList<>(List.of("git", "-c", "user.name=t", "-c", "user.email=t@t"));
    command.addAll(List.of(args));
    Processes.Result result = Processes.run(dir, Map.of(), 30, command.toArray(String[]::new));
    if (result.exit() != 0) {
      throw new IllegalStateException("git " + String.join(" ", args) + ": " + result.output());
    }
    return result.output().strip();
  }
}
