package io.soilci.server.cluster;

import io.soilci.result.SiteLayout;
import io.soilci.server.auth.SharedWorkers;
import io.soilci.server.auth.WorkerStore;
import io.soilci.server.auth.Workers;
import io.soilci.server.config.DistributedSettings;
import io.soilci.server.http.MetricSource;
import io.soilci.server.http.PromText;
import io.soilci.server.live.LiveChanges;
import io.soilci.server.live.LiveLogs;
import io.soilci.server.site.PageOwners;
import io.soilci.server.site.Site;
import io.soilci.server.state.StateLayout;
import io.soilci.server.storage.ObjectStore;
import io.soilci.server.upload.ResultStore;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.slf4j.LoggerFactory;

/**
 * One replica's part in the distributed mode, made from the config's {@code distributed} block: the
 * change stream, the roles, the shared object store, the page mirror and the feed that applies the
 * other replicas' changes. Connected before the site opens ({@link #connect}, so the mirror hears
 * every page written), started once the site is open ({@link #start}).
 */
public final class Cluster implements AutoCloseable, MetricSource {
  /** How long the stream may take to acknowledge a change before the request answers 503. */
  static final Duration ACK_TIMEOUT = Duration.ofSeconds(5);

  /**
   * How long a job's upload lock is kept at most ({@link UploadLocks}): an upload holds it while it
   * is checked, its files are put and its change is published; this frees the lock of a replica
   * that died holding it and is not back (one that is back freed it at its start).
   */
  static final Duration UPLOAD_LOCK_TTL = Duration.ofSeconds(60);

  /** How long a role is kept without renewal (renewed every third of it). */
  static final Duration ROLE_TTL = Duration.ofSeconds(15);

  /** How long the mirror waits for the pages of the changes applied before it announces them. */
  private static final Duration RENDERED_WAIT = Duration.ofSeconds(5);

  private final DistributedSettings settings;
  private final ChangeStream stream;
  private final ObjectStore bucket;
  private final HostLeases leases;
  private final UploadLocks uploads;
  private final PageMirror mirror;
  private final OwnChanges own = new OwnChanges();
  private final QueueStream queue;
  private final Path siteRoot;
  private @Nullable ReplicaFeed feed;
  private @Nullable Roles roles;
  private @Nullable PageFollower pages;
  private @Nullable Outbox outbox;
  private @Nullable ClusterLive live;
  private @Nullable SharedWorkers workers;

  private Cluster(
      DistributedSettings settings,
      ChangeStream stream,
      ObjectStore bucket,
      HostLeases leases,
      UploadLocks uploads,
      PageMirror mirror,
      QueueStream queue,
      Path siteRoot) {
    this.siteRoot = siteRoot;
    this.queue = queue;
    this.settings = settings;
    this.stream = stream;
    this.bucket = bucket;
    this.leases = leases;
    this.uploads = uploads;
    this.mirror = mirror;
  }

  /**
   * Connects to the change stream of {@code settings} (made when missing) and the roles' bucket;
   * {@code bucket} is the object store they name, owned by the cluster from now on.
   */
  public static Cluster connect(DistributedSettings settings, ObjectStore bucket, Path siteRoot)
      throws IOException {
    ChangeStream stream;
    try {
      stream = ChangeStream.connect(settings.events().toString(), settings.replica(), ACK_TIMEOUT);
    } catch (IOException e) {
      bucket.close();
      throw e;
    }
    try {
      HostLeases leases = HostLeases.open(stream, settings.replica(), ROLE_TTL);
      UploadLocks uploads =
          UploadLocks.open(stream.connection(), settings.replica(), UPLOAD_LOCK_TTL);
      // Before this replica takes any: those it holds are from before it died.
      uploads.freeOwn();
      QueueStream queue =
          QueueStream.open(
              stream, settings.events().toString(), settings.replica(), leases, ACK_TIMEOUT);
      PageMirror mirror = new PageMirror(bucket, siteRoot, leases, stream, settings.replica());
      mirror.start();
      return new Cluster(settings, stream, bucket, leases, uploads, mirror, queue, siteRoot);
    } catch (IOException | RuntimeException e) {
      stream.close();
      bucket.close();
      throw e;
    }
  }

  /** The shared object store (owned by the cluster: closed with it). */
  public ObjectStore bucket() {
    return bucket;
  }

  /** The coordinator's queue: a stream of its own ({@link QueueStream}). */
  public QueueStream queue() {
    return queue;
  }

  /**
   * The live logs' changes, published to every replica; from now on this replica applies every
   * replica's to {@code logs}.
   */
  public synchronized LiveChanges live(LiveLogs logs) throws IOException {
    if (live == null) {
      live = ClusterLive.open(stream, settings.replica(), settings.events().toString(), logs);
    }
    return live;
  }

  /**
   * The worker tokens of the cluster's bucket ({@link SharedWorkers}) over this replica's {@code
   * local} ones.
   */
  public synchronized Workers workers(WorkerStore local) throws IOException {
    if (workers == null) {
      workers = SharedWorkers.open(stream.connection(), local);
    }
    return workers;
  }

  /** Told of every page the site writes. */
  public void pageChanged(String path) {
    mirror.changed(path);
  }

  /**
   * How this replica replicates what it accepts; the uploads whose change the stream has not taken
   * yet are kept in {@code state} ({@link Outbox}).
   */
  public synchronized Replication replication(SiteLayout layout, Site site, StateLayout state) {
    Outbox made = new Outbox(settings.replica(), state.clusterOutbox(), stream);
    outbox = made;
    return new ClusterReplication(
        settings.replica(),
        stream,
        bucket,
        layout,
        site.locks(),
        this::awaitApplied,
        own,
        made,
        uploads);
  }

  private boolean awaitApplied(long sequence, Duration timeout) throws InterruptedException {
    ReplicaFeed current;
    synchronized (this) {
      current = feed;
    }
    return current != null && current.awaitApplied(sequence, timeout);
  }

  /**
   * Starts applying the changes of the stream, this replica's own too, (from the sequence saved in
   * {@code state}), claiming this replica's roles, and following the pages the other roles' holders
   * announce: from now on {@code site} renders only the pages of the roles this replica holds.
   */
  public synchronized void start(
      Site site, SiteChanges changes, ResultStore store, SiteLayout layout, StateLayout state)
      throws IOException {
    ReplicaFeed started =
        new ReplicaFeed(settings.replica(), stream, bucket, site, layout, store, state, own);
    Roles claimed = new Roles(leases, site, changes, mirror, started::ready);
    PageFollower follower =
        new PageFollower(
            settings.replica(), stream, bucket, siteRoot, site, state, claimed::renders, mirror);
    long announced = follower.leastAnnounced();
    if (announced > 0) {
      started.replayAfter(announced);
    }
    site.renderOnly(
        new PageOwners() {
          @Override
          public boolean rendersHere(String path) {
            return claimed.renders(PageMirror.roleOf(path));
          }

          @Override
          public long position() {
            return started.applying();
          }

          @Override
          public long announced(String path) {
            return follower.announced(PageMirror.roleOf(path));
          }
        });
    mirror.announceFor(
        new PageMirror.Renderer() {
          @Override
          public long applied() {
            return started.applied();
          }

          @Override
          public boolean awaitRendered() throws InterruptedException {
            return site.awaitPagesDeferredSoFar(RENDERED_WAIT.toMillis());
          }

          @Override
          public List<String> renderLeft(String role) throws IOException {
            return site.renderLeft(path -> PageMirror.roleOf(path).equals(role));
          }

          @Override
          public boolean renders(String role) {
            return claimed.renders(role);
          }
        });
    follower.start();
    pages = follower;
    started.start();
    feed = started;
    site.onRunDeleted(mirror);
    if (outbox != null) {
      outbox.start();
    }
    claimed.start();
    roles = claimed;
    LoggerFactory.getLogger(Cluster.class)
        .info(
            "replica {}: change stream {}, from sequence {}",
            settings.replica(),
            settings.events(),
            started.applied());
  }

  /**
   * {@code soil_pages_followed_total{from}}: the pages of roles this replica does not render that
   * it put in its site folder since start, from the bytes their announcement carried or from the
   * bucket.
   */
  @Override
  public void writeTo(PromText out) {
    PageFollower current = pages;
    out.family(
        "soil_pages_followed_total",
        "counter",
        "Pages other replicas rendered, written here since start: from their announcement's bytes"
            + " or fetched from the bucket.");
    out.sample(
        "soil_pages_followed_total",
        PromText.label("from", "announcement"),
        current == null ? 0 : current.carried());
    out.sample(
        "soil_pages_followed_total",
        PromText.label("from", "bucket"),
        current == null ? 0 : current.fetched());
  }

  /** Why this replica is not ready yet (still catching up with the stream), or nothing. */
  public Optional<String> notReady() {
    ReplicaFeed current = feed;
    if (current == null) {
      return Optional.of("starting");
    }
    if (!current.ready()) {
      return Optional.of(current.readiness());
    }
    return queue.ready() ? Optional.empty() : Optional.of(queue.readiness());
  }

  @Override
  public synchronized void close() {
    if (roles != null) {
      roles.close();
    }
    if (outbox != null) {
      outbox.close();
    }
    if (feed != null) {
      feed.close();
    }
    if (pages != null) {
      pages.close();
    }
    if (live != null) {
      live.close();
    }
    if (workers != null) {
      workers.close();
    }
    mirror.close();
    queue.close();
    stream.close();
    try {
      bucket.close();
    } catch (IOException e) {
      LoggerFactory.getLogger(Cluster.class).warn("closing the object store: {}", e.toString());
    }
  }
}
