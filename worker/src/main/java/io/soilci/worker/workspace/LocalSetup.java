package io.soilci.worker.workspace;

import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * The {@code local} provider's setup: {@code sh -c SCRIPT} in the workspace folder on the host,
 * with only a few harmless host variables and the workspace's {@code env} (no credentials). Its
 * whole result is in the folder, so nothing else is kept.
 */
final class LocalSetup implements SetupHost {
  private final HostEnvironment host;

  LocalSetup(HostEnvironment host) {
    this.host = host;
  }

  @Override
  public String provider() {
    return "local";
  }

  @Override
  public @Nullable BaseImage baseImage(
      WorkspaceConfig config, @Nullable String committed, Consumer<String> progress) {
    return null;
  }

  @Override
  public @Nullable String setUp(
      WorkspaceConfig config, String key, Path dir, Consumer<String> progress) {
    if (!config.setupScript().isBlank()) {
      progress.accept("running setup script in " + dir);
      new Exec(
              "the setup script",
              List.of("sh", "-c", config.setupScript()),
              dir,
              host.forSetup(dir, config.env()),
              SETUP_TIMEOUT)
          .run(line -> progress.accept("setup: " + line));
    }
    return null;
  }

  @Override
  public boolean holds(@Nullable String image) {
    return true;
  }

  @Override
  public void discard(@Nullable String image) {}
}
