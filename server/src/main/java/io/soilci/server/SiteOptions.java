package io.soilci.server;

import io.soilci.result.BadInput;
import io.soilci.server.config.ConfigFile;
import io.soilci.server.config.ServerConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Option;

/** The options every command shares: where the site, its state and its config are. */
final class SiteOptions {
  @Option(names = "--site", paramLabel = "DIR", description = "The site folder (served).")
  @Nullable Path site;

  @Option(
      names = "--config",
      paramLabel = "FILE",
      description = "JSON configuration file (see docs/HTTP-API.md); --site overrides its site.")
  @Nullable Path config;

  @Option(
      names = "--state",
      paramLabel = "DIR",
      description = "Folder of worker tokens, never served. Default: SITE/../soil-state.")
  @Nullable Path state;

  /** The configuration from the file (if any), then the command-line options over it. */
  ServerConfig config() throws IOException {
    ServerConfig read;
    if (config != null) {
      read = ConfigFile.read(config, Optional.ofNullable(site));
    } else if (site != null) {
      read = ServerConfig.defaults(site);
    } else {
      throw new BadInput("--site DIR or --config FILE is required");
    }
    ServerConfig result = state == null ? read : read.withState(state);
    String stateFrom = state != null || config == null ? "--state" : "\"state\" in " + config;
    requireNoFile("state", result.state(), stateFrom);
    return result;
  }

  /** Refuses a folder's path that names a file: nothing could be made or read there. */
  private static void requireNoFile(String what, Path folder, String from) {
    if (Files.exists(folder) && !Files.isDirectory(folder)) {
      throw new BadInput(
          "the " + what + " folder " + folder + " is a file, not a folder; check " + from);
    }
  }

  /**
   * The configuration, refusing a site folder that does not exist unless {@code init} (the
   * command's {@code --init}) asks for an empty one: a mistyped path must not quietly become a new,
   * empty site.
   */
  ServerConfig existingSite(boolean init) throws IOException {
    ServerConfig read = config();
    String from = site != null || config == null ? "--site" : "\"site\" in " + config;
    requireNoFile("site", read.site(), from);
    if (!init && !Files.isDirectory(read.site())) {
      throw new BadInput(
          "the site folder "
              + read.site()
              + " does not exist; check "
              + from
              + ", or pass --init to create an empty site there");
    }
    return read;
  }
}
