package io.soilci.server.config;

import io.soilci.server.coordinator.CoordinatorSettings;
import io.soilci.server.hooks.HookSettings;
import io.soilci.server.logview.ErrorPatterns;
import io.soilci.server.site.SiteSettings;
import io.soilci.server.state.StateLayout;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Everything the server reads at start.
 *
 * @param site the site folder, served and written
 * @param state the folder of the server's own files ({@link StateLayout}); never served
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
 * @param coordinator the coordinator's queue bounds and leases
 * @param distributed the replica's NATS server and shared bucket; empty for one box on one disk
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
    Duration jobLease,
    ErrorPatterns errorPatterns,
    LiveLimits live,
    CoordinatorSettings coordinator,
    Optional<DistributedSettings> distributed) {

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
        LiveLimits.DEFAULTS,
        CoordinatorSettings.DEFAULTS,
        Optional.empty());
  }

  /** {@code SITE/../soil-state}: outside the served tree. */
  public static Path defaultState(Path site) {
    return site.toAbsolutePath().normalize().resolveSibling("soil-state");
  }

  /** Where each of the server's own files lives in {@link #state}. */
  public StateLayout stateLayout() {
    return new StateLayout(state);
  }

  public ServerConfig withState(Path value) {
    return edit(parts -> parts.state = value);
  }

  public ServerConfig withListen(Listen value) {
    return edit(parts -> parts.listen = value);
  }

  public ServerConfig withLimits(Limits value) {
    return edit(parts -> parts.limits = value);
  }

  public ServerConfig withPublicReads(boolean value) {
    return edit(parts -> parts.publicReads = value);
  }

  public ServerConfig withGuards(Guards value) {
    return edit(parts -> parts.guards = value);
  }

  public ServerConfig withErrorPatterns(ErrorPatterns value) {
    return edit(parts -> parts.errorPatterns = value);
  }

  public ServerConfig withKeepRuns(int value) {
    return edit(parts -> parts.keepRuns = value);
  }

  public ServerConfig withLive(LiveLimits value) {
    return edit(parts -> parts.live = value);
  }

  public ServerConfig withCoordinator(CoordinatorSettings value) {
    return edit(parts -> parts.coordinator = value);
  }

  public ServerConfig withDistributed(Optional<DistributedSettings> value) {
    return edit(parts -> parts.distributed = value);
  }

  public ServerConfig withHooks(HookSettings value) {
    return edit(parts -> parts.hooks = value);
  }

  public ServerConfig withJobLease(Duration value) {
    return edit(parts -> parts.jobLease = value);
  }

  /** A copy with the parts {@code change} sets: every {@code with…} goes through it. */
  private ServerConfig edit(Consumer<Parts> change) {
    Parts parts = new Parts(this);
    change.accept(parts);
    return parts.build();
  }

  /** The parts of a config, to change one and build the copy. */
  private static final class Parts {
    Path site;
    Path state;
    Listen listen;
    boolean publicReads;
    int keepRuns;
    Optional<String> repositoryUrl;
    HookSettings hooks;
    Limits limits;
    Guards guards;
    Duration jobLease;
    ErrorPatterns errorPatterns;
    LiveLimits live;
    CoordinatorSettings coordinator;
    Optional<DistributedSettings> distributed;

    Parts(ServerConfig config) {
      site = config.site;
      state = config.state;
      listen = config.listen;
      publicReads = config.publicReads;
      keepRuns = config.keepRuns;
      repositoryUrl = config.repositoryUrl;
      hooks = config.hooks;
      limits = config.limits;
      guards = config.guards;
      jobLease = config.jobLease;
      errorPatterns = config.errorPatterns;
      live = config.live;
      coordinator = config.coordinator;
      distributed = config.distributed;
    }

    ServerConfig build() {
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
          live,
          coordinator,
          distributed);
    }
  }
}
