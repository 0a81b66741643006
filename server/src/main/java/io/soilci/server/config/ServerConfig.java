package io.soilci.server.config;

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
 * @param hooks commands run after site changes, by event name (passed to the site)
 * @param limits what one request may cost
 */
public record ServerConfig(
    Path site,
    Path state,
    Listen listen,
    boolean publicReads,
    int keepRuns,
    Optional<String> repositoryUrl,
    Hooks hooks,
    Limits limits) {

  /** The defaults for a site folder: state beside it in {@code soil-state}. */
  public static ServerConfig defaults(Path site) {
    return new ServerConfig(
        site,
        defaultState(site),
        Listen.DEFAULT,
        true,
        100,
        Optional.empty(),
        Hooks.NONE,
        Limits.DEFAULTS);
  }

  /** {@code SITE/../soil-state}: outside the served tree. */
  public static Path defaultState(Path site) {
    return site.toAbsolutePath().normalize().resolveSibling("soil-state");
  }

  public ServerConfig withSite(Path newSite) {
    return new ServerConfig(
        newSite, state, listen, publicReads, keepRuns, repositoryUrl, hooks, limits);
  }

  public ServerConfig withState(Path newState) {
    return new ServerConfig(
        site, newState, listen, publicReads, keepRuns, repositoryUrl, hooks, limits);
  }

  public ServerConfig withListen(Listen newListen) {
    return new ServerConfig(
        site, state, newListen, publicReads, keepRuns, repositoryUrl, hooks, limits);
  }

  public ServerConfig withLimits(Limits newLimits) {
    return new ServerConfig(
        site, state, listen, publicReads, keepRuns, repositoryUrl, hooks, newLimits);
  }

  public ServerConfig withPublicReads(boolean value) {
    return new ServerConfig(site, state, listen, value, keepRuns, repositoryUrl, hooks, limits);
  }
}
