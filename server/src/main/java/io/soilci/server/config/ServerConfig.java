package io.soilci.server.config;

import io.soilci.server.hooks.HookSettings;
import io.soilci.server.logview.ErrorPatterns;
import io.soilci.server.site.SiteSettings;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Everything the server reads at start.
 *
 * @param site the site folder, served and written
 * @param state the folder of the server's own files (worker tokens); never served
 * @param listen host and port to listen on
 * @param publicReads whether GET needs no token
 * @param keepRuns newest runs kept per host
 * @param repositoryUrl for commit and PR links
 * @param hooks shell commands the site runs on job-passed, job-failed, run-finished
 * @param limits what one request may cost
 * @param guards what a slow or hostile client may hold (timeouts, rates, failed logins)
 * @param jobLease how long a running job may go unheard before it is ended as lost
 * @param errorPatterns the lines that count as errors in a log (the log view, the run page)
 * @param live what the event streams of live logs and pages may hold
 */
public record ServerConfig(
    Path site,
    Path state,
    Listen listen,
    boolean publicReads,
    int keepRuns,
    Optional<String> repositoryUrl,
    HookSettings hooks,
    Limits limits,
    Guards guards,
    java.time.Duration jobLease,
    ErrorPatterns errorPatterns,
    LiveLimits live) {

  /** The defaults for a site folder: state beside it in {@code soil-state}. */
  public static ServerConfig defaults(Path site) {
    return new ServerConfig(
        site,
        defaultState(site),
        Listen.DEFAULT,
        true,
        SiteSettings.DEFAULT_KEEP_RUNS,
        Optional.empty(),
        HookSettings.NONE,
        Limits.DEFAULTS,
        Guards.DEFAULTS,
        SiteSettings.DEFAULT_JOB_LEASE,
        ErrorPatterns.DEFAULTS,
        LiveLimits.DEFAULTS);
  }

  /** {@code SITE/../soil-state}: outside the served tree. */
  public static Path defaultState(Path site) {
    return site.toAbsolutePath().normalize().resolveSibling("soil-state");
  }

  public ServerConfig withState(Path newState) {
    return new ServerConfig(
        site,
        newState,
        listen,
        publicReads,
        keepRuns,
        repositoryUrl,
        hooks,
        limits,
        guards,
        jobLease,
        errorPatterns,
        live);
  }

  public ServerConfig withListen(Listen newListen) {
    return new ServerConfig(
        site,
        state,
        newListen,
        publicReads,
        keepRuns,
        repositoryUrl,
        hooks,
        limits,
        guards,
        jobLease,
        errorPatterns,
        live);
  }

  public ServerConfig withLimits(Limits newLimits) {
    return new ServerConfig(
        site,
        state,
        listen,
        publicReads,
        keepRuns,
        repositoryUrl,
        hooks,
        newLimits,
        guards,
        jobLease,
        errorPatterns,
        live);
  }

  public ServerConfig withPublicReads(boolean value) {
    return new ServerConfig(
        site,
        state,
        listen,
        value,
        keepRuns,
        repositoryUrl,
        hooks,
        limits,
        guards,
        jobLease,
        errorPatterns,
        live);
  }

  public ServerConfig withGuards(Guards newGuards) {
    return new ServerConfig(
        site,
        state,
        listen,
        publicReads,
        keepRuns,
        repositoryUrl,
        hooks,
        limits,
        newGuards,
        jobLease,
        errorPatterns,
        live);
  }

  public ServerConfig withErrorPatterns(ErrorPatterns value) {
    return new ServerConfig(
        site,
        state,
        listen,
        publicReads,
        keepRuns,
        repositoryUrl,
        hooks,
        limits,
        guards,
        jobLease,
        value,
        live);
  }

  public ServerConfig withKeepRuns(int value) {
    return new ServerConfig(
        site,
        state,
        listen,
        publicReads,
        value,
        repositoryUrl,
        hooks,
        limits,
        guards,
        jobLease,
        errorPatterns,
        live);
  }

  public ServerConfig withLive(LiveLimits value) {
    return new ServerConfig(
        site,
        state,
        listen,
        publicReads,
        keepRuns,
        repositoryUrl,
        hooks,
        limits,
        guards,
        jobLease,
        errorPatterns,
        value);
  }

  public ServerConfig withJobLease(java.time.Duration value) {
    return new ServerConfig(
        site,
        state,
        listen,
        publicReads,
        keepRuns,
        repositoryUrl,
        hooks,
        limits,
        guards,
        value,
        errorPatterns,
        live);
  }
}
