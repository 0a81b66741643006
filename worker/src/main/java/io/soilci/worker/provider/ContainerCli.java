package io.soilci.worker.provider;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;

/** Finds the container CLI ({@code podman}, {@code docker}) before anything is started. */
final class ContainerCli {
  private ContainerCli() {}

  /**
   * {@code cli} itself when it is a path, else the first executable of that name on {@code path}.
   */
  static Path find(String cli, String path) {
    if (cli.contains("/")) {
      Path file = Path.of(cli);
      if (Files.isRegularFile(file) && Files.isExecutable(file)) {
        return file.toAbsolutePath();
      }
      throw new ProviderFailure(
          "container CLI '" + cli + "' is not an executable file; fix --container-cli");
    }
    for (String dir : path.split(File.pathSeparator, -1)) {
      if (!dir.isEmpty()) {
        Path file = Path.of(dir, cli);
        if (Files.isRegularFile(file) && Files.isExecutable(file)) {
          return file;
        }
      }
    }
    throw new ProviderFailure(
        "container CLI '"
            + cli
            + "' not found on the PATH; install it, or give its path with --container-cli");
  }
}
