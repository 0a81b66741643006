package io.soilci.server;

import io.soilci.server.site.Site;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code regen}: rebuilds every page from the files alone. */
@Command(
    name = "regen",
    mixinStandardHelpOptions = true,
    description = "Rebuild every page of the site from the job files under it.")
final class RegenCommand implements Callable<Integer> {
  @Mixin SiteOptions options = new SiteOptions();

  @Override
  public Integer call() throws Exception {
    try (Site site = Site.open(SoilServer.siteSettings(options.config()))) {
      site.regenerateAll();
    }
    return 0;
  }
}
