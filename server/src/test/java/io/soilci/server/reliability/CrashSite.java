package io.soilci.server.reliability;

import io.soilci.server.auth.Scope;
import io.soilci.server.auth.Worker;
import io.soilci.server.auth.WorkerStore;
import io.soilci.server.state.StateLayout;
import io.soilci.server.testing.SiteTrees;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * The site a crash test SIGKILLs servers on: {@code site} (empty, or with the fixtures' jobs),
 * {@code state} with one worker {@code gh} allowed {@code scopes}, its bearer {@code token}, and
 * the servers' common {@code log}. Every {@link #serve} starts one on it, small and quick to start.
 */
record CrashSite(Path site, Path state, String token, Path log) {
  private static final List<String> JVM =
      List.of("-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");

  /** Under {@code dir}: a site with the fixtures' jobs, the worker allowed jobs and status API. */
  static CrashSite withFixtures(Path dir) throws IOException {
    CrashSite made = empty(dir, Set.of(Scope.GITHUB_JOBS, Scope.STATUS_API));
    SiteTrees.copyFixtures(made.site);
    return made;
  }

  /** Under {@code dir}: an empty site, the worker allowed {@code scopes}. */
  static CrashSite empty(Path dir, Set<Scope> scopes) throws IOException {
    Path site = Files.createDirectories(dir.resolve("site"));
    Path state = dir.resolve("state");
    String token =
        "Bearer gh:"
            + new WorkerStore(new StateLayout(state), 1000).add(new Worker("gh", scopes), false);
    return new CrashSite(site, state, token, dir.resolve("server.log"));
  }

  /** The files that differ between the site and a {@code regen} of a copy of it at {@code copy}. */
  List<String> differencesFromRegen(Path copy) throws IOException, InterruptedException {
    return SiteChecks.differencesFromRegen(site, copy, state, log, JVM);
  }

  /** Starts a server on it (again, after a kill), on a free port. */
  ServerProcess serve() throws IOException, InterruptedException {
    return ServerProcess.serve(
        log, JVM, List.of("--site", site.toString(), "--state", state.toString()));
  }
}
