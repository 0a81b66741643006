package io.soilci.server;

import io.soilci.server.config.ServerConfig;
import io.soilci.server.site.Site;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code regen}: rebuilds every page from the files alone. */
@Command(
    name = "regen",
    mixinStandardHelpOptions = true,
    description = "Rebuild every page of the site from the job files under it.")
final class RegenCommand implements Callable<Integer> {
  @Mixin SiteOptions options = new SiteOptions();
  @Spec CommandSpec spec = CommandSpec.create();

  @Option(names = "--init", description = "Create the site folder when it does not exist.")
  boolean init;

  @Override
  public Integer call() throws Exception {
    ServerConfig config = options.existingSite(init);
    // The pages are rebuilt from the files: so is the server's index at its next start.
    Site.forgetSnapshot(config.stateLayout());
    try (Site site = Site.open(SoilServer.siteSettings(config))) {
      site.regenerateAll();
      // A broken job does not fail the rebuild: it is listed as broken on its pages.
      for (String broken : site.brokenJobs()) {
        spec.commandLine().getErr().println("regen: listed as broken: " + broken);
      }
    }
    return 0;
  }
}
