package io.soilci.server.cluster;

import io.soilci.result.WorkerHost;
import io.soilci.server.site.Site;
import io.soilci.threads.Daemons;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Claims and renews this replica's roles ({@link HostLeases}) on a timer: the holder of {@code
 * site} runs the job-lease timer (a silent job's end is published and applied by every replica,
 * {@link SiteChanges#lost}); the holder of {@code host.HOST} renders that host's pages and mirrors
 * them ({@link PageMirror}), the holder of {@code site} the site-wide ones ({@link #renders}). A
 * replica that loses {@code site} (it could not renew) stops its timer at once. A replica claims a
 * host's role only once it is ready (applied the stream as far as it was at its start), so that the
 * pages it mirrors are current; on taking a role (site or host) once ready it reconciles the role's
 * pages with the bucket ({@link PageMirror#reconcile}): pages changed while no replica held the
 * role reach the bucket then.
 */
public final class Roles implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Roles.class);

  /** How long a stop waits for a page's put already sent to the bucket before it gives up roles. */
  private static final Duration PUTS_AT_STOP = Duration.ofSeconds(5);

  private final HostLeases leases;
  private final Site site;
  private final SiteChanges changes;
  private final PageMirror mirror;
  private final BooleanSupplier ready;
  private final ScheduledExecutorService timer;
  private final Set<String> reconciled = ConcurrentHashMap.newKeySet();
  private boolean runsJobLeases;

  public Roles(
      HostLeases leases, Site site, SiteChanges changes, PageMirror mirror, BooleanSupplier ready) {
    this.leases = leases;
    this.site = site;
    this.changes = changes;
    this.mirror = mirror;
    this.ready = ready;
    this.timer = Executors.newSingleThreadScheduledExecutor(Daemons.named("soil-roles"));
  }

  /** Claims the roles now and then every {@link HostLeases#renewEvery}. */
  public void start() {
    tick();
    long every = leases.renewEvery().toMillis();
    var unused = timer.scheduleWithFixedDelay(this::tick, every, every, TimeUnit.MILLISECONDS);
  }

  private void tick() {
    try {
      boolean site = leases.claim(HostLeases.SITE);
      if (site && !runsJobLeases) {
        LOG.info("this replica holds the site role: it runs the job-lease timer");
        this.site.startLeases(changes::lost);
        runsJobLeases = true;
      } else if (!site && runsJobLeases) {
        LOG.warn("this replica lost the site role: its job-lease timer stops");
        this.site.stopLeases();
        runsJobLeases = false;
      }
      boolean caughtUp = ready.getAsBoolean();
      mirrorPages(HostLeases.SITE, site, caughtUp);
      for (WorkerHost host : WorkerHost.values()) {
        String key = HostLeases.hostKey(host.prefix());
        mirrorPages(key, caughtUp && leases.claim(key), caughtUp);
      }
    } catch (RuntimeException e) {
      LOG.warn("claiming this replica's roles failed: {}", e.toString());
    }
  }

  /**
   * Whether this replica renders {@code role}'s pages: it holds the role and took it once caught up
   * (the pages its former holder left are rendered first, {@link PageMirror#reconcile}).
   */
  public boolean renders(String role) {
    return reconciled.contains(role) && leases.holds(role);
  }

  /** Reconciles {@code role}'s pages once it is held by a replica that caught up. */
  private void mirrorPages(String role, boolean held, boolean caughtUp) {
    if (!held) {
      if (reconciled.remove(role)) {
        mirror.released(role);
      }
    } else if (caughtUp && reconciled.add(role)) {
      LOG.info("this replica holds the role {}: it renders and mirrors the role's pages", role);
      mirror.reconcile(role);
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
    try {
      timer.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    // The pages' puts left are given up before the roles, so that none lands over the next
    // holder's; that holder puts what the bucket lacks (PageMirror#reconcile).
    for (String role : PageMirror.roles()) {
      reconciled.remove(role);
      mirror.released(role);
    }
    if (!mirror.awaitPuts(PUTS_AT_STOP.toMillis())) {
      LOG.warn("pages' puts still under way at stop, given up: the roles' next holder puts them");
    }
    leases.release(HostLeases.SITE);
    for (WorkerHost host : WorkerHost.values()) {
      leases.release(HostLeases.hostKey(host.prefix()));
    }
  }
}
