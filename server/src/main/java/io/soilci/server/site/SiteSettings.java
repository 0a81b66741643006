package io.soilci.server.site;

import io.soilci.server.hooks.HookSettings;
import io.soilci.server.logview.ErrorPatterns;
import io.soilci.server.state.StateLayout;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * What the site needs from the server's configuration.
 *
 * @param root the site folder; the files under it are the truth
 * @param keepRuns newest runs kept per host; older finished runs are deleted
 * @param repositoryUrl e.g. {@code https://github.com/OWNER/REPO}, for commit and PR links
 * @param hooks commands run when jobs pass or fail and runs finish
 * @param jobLease how long a running job may go unheard (no event, no live log) before {@code
 *     serve} ends it as lost
 * @param errorPatterns the lines that count as errors in a log, for the run page's excerpts
 * @param state the server's state folder: with it pages are synced in the background through a
 *     journal there ({@link PageJournal}) and hook events are spooled there until their hooks ran
 *     ({@code Hooks.spooled}); without it ({@code regen}, {@code ingest}) each page is durable as
 *     it is written and hooks wait in memory
 */
public record SiteSettings(
    Path root,
    int keepRuns,
    Optional<String> repositoryUrl,
    HookSettings hooks,
    Duration jobLease,
    ErrorPatterns errorPatterns,
    Optional<StateLayout> state) {
  /** The default number of runs kept per host. */
  public static final int DEFAULT_KEEP_RUNS = 200;

  /** The default lease of a running job: 10 minutes without a word from its worker. */
  public static final Duration DEFAULT_JOB_LEASE = Duration.ofMinutes(10);

  public SiteSettings {
    if (keepRuns < 1) {
      throw new IllegalArgumentException("keepRuns must be >= 1: " + keepRuns);
    }
    if (jobLease.toSeconds() < 1) {
      throw new IllegalArgumentException("jobLease must be at least 1 s: " + jobLease);
    }
  }

  /** Settings without a state folder. */
  public SiteSettings(
      Path root,
      int keepRuns,
      Optional<String> repositoryUrl,
      HookSettings hooks,
      Duration jobLease,
      ErrorPatterns errorPatterns) {
    this(root, keepRuns, repositoryUrl, hooks, jobLease, errorPatterns, Optional.empty());
  }

  /** These settings with the server's state folder {@code state}. */
  public SiteSettings withState(StateLayout state) {
    return new SiteSettings(
        root, keepRuns, repositoryUrl, hooks, jobLease, errorPatterns, Optional.of(state));
  }

  /** Settings with the default error patterns. */
  public SiteSettings(
      Path root,
      int keepRuns,
      Optional<String> repositoryUrl,
      HookSettings hooks,
      Duration jobLease) {
    this(root, keepRuns, repositoryUrl, hooks, jobLease, ErrorPatterns.DEFAULTS);
  }

  /** Settings with the default job lease. */
  public SiteSettings(Path root, int keepRuns, Optional<String> repositoryUrl, HookSettings hooks) {
    this(root, keepRuns, repositoryUrl, hooks, DEFAULT_JOB_LEASE);
  }

  /** Settings without hooks. */
  public SiteSettings(Path root, int keepRuns, Optional<String> repositoryUrl) {
    this(root, keepRuns, repositoryUrl, HookSettings.NONE);
  }
}
