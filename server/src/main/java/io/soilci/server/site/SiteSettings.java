package io.soilci.server.site;

import io.soilci.server.hooks.HookSettings;
import io.soilci.server.logview.ErrorPatterns;
import java.nio.file.Path;
import java.util.Optional;

/**
 * What the site needs from the server's configuration.
 *
 * @param root the site folder; the files under it are the truth
 * @param keepRuns newest runs kept per host; older finished runs are deleted
 * @param repositoryUrl e.g. {@code https://github.com/OWNER/REPO}, for commit and PR links
 * @param hooks commands run when jobs pass or fail and runs finish
 * @param errorPatterns the lines that count as errors in a log, for the run page's excerpts
 */
public record SiteSettings(
    Path root,
    int keepRuns,
    Optional<String> repositoryUrl,
    HookSettings hooks,
    ErrorPatterns errorPatterns) {
  /** The default number of runs kept per host. */
  public static final int DEFAULT_KEEP_RUNS = 200;

  public SiteSettings {
    if (keepRuns < 1) {
      throw new IllegalArgumentException("keepRuns must be >= 1: " + keepRuns);
    }
  }

  /** Settings with the default error patterns. */
  public SiteSettings(Path root, int keepRuns, Optional<String> repositoryUrl, HookSettings hooks) {
    this(root, keepRuns, repositoryUrl, hooks, ErrorPatterns.DEFAULTS);
  }

  /** Settings without hooks. */
  public SiteSettings(Path root, int keepRuns, Optional<String> repositoryUrl) {
    this(root, keepRuns, repositoryUrl, HookSettings.NONE);
  }
}
