package io.soilci.server.site;

import java.nio.file.Path;
import java.util.Optional;

/**
 * What the site needs from the server's configuration.
 *
 * @param root the site folder; the files under it are the truth
 * @param keepRuns newest runs kept per host; older finished runs are deleted
 * @param repositoryUrl e.g. {@code https://github.com/OWNER/REPO}, for commit and PR links
 */
public record SiteSettings(Path root, int keepRuns, Optional<String> repositoryUrl) {
  public SiteSettings {
    if (keepRuns < 1) {
      throw new IllegalArgumentException("keepRuns must be >= 1: " + keepRuns);
    }
  }
}
