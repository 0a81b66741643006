package io.soilci.server;

import io.soilci.result.SiteLayout;
import io.soilci.server.auth.Authenticator;
import io.soilci.server.auth.WorkerStore;
import io.soilci.server.cluster.Cluster;
import io.soilci.server.cluster.Replication;
import io.soilci.server.cluster.SiteChanges;
import io.soilci.server.config.DistributedSettings;
import io.soilci.server.config.Guards;
import io.soilci.server.config.Limits;
import io.soilci.server.config.ServerConfig;
import io.soilci.server.coordinator.Coordinator;
import io.soilci.server.files.SiteFilesHandler;
import io.soilci.server.hooks.Hooks;
import io.soilci.server.http.AccessLog;
import io.soilci.server.http.Metrics;
import io.soilci.server.http.WorkerPoolMetrics;
import io.soilci.server.live.LiveLogs;
import io.soilci.server.logview.LogIndexStore;
import io.soilci.server.site.Site;
import io.soilci.server.site.SiteSettings;
import io.soilci.server.storage.ObjectStore;
import io.soilci.server.storage.S3ObjectStore;
import io.soilci.server.storage.StorageSettings;
import io.soilci.server.upload.ResultStore;
import io.soilci.server.upload.UploadGate;
import io.soilci.server.wwz.BucketWwz;
import io.soilci.server.wwz.WwzHandler;
import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.slf4j.LoggerFactory;
import org.xnio.OptionMap;
import org.xnio.Options;
import org.xnio.Xnio;
import org.xnio.XnioWorker;

/** A running server: the site opened from its files, the routes, Undertow listening. */
public final class SoilServer implements AutoCloseable {
  private final Undertow undertow;
  private final XnioWorker threads;
  private final WwzHandler wwz;
  private final SiteFilesHandler files;
  private final Site site;
  private final ServerConfig config;
  private final AccessLog accessLog;
  private final Coordinator coordinator;
  private final Hooks coordinatorHooks;
  private final @Nullable Cluster cluster;

  private SoilServer(
      Undertow undertow,
      XnioWorker threads,
      AccessLog accessLog,
      WwzHandler wwz,
      SiteFilesHandler files,
      Site site,
      ServerConfig config,
      Coordinator coordinator,
      Hooks coordinatorHooks,
      @Nullable Cluster cluster) {
    this.cluster = cluster;
    this.coordinator = coordinator;
    this.coordinatorHooks = coordinatorHooks;
    this.undertow = undertow;
    this.threads = threads;
    this.accessLog = accessLog;
    this.wwz = wwz;
    this.files = files;
    this.site = site;
    this.config = config;
  }

  /** The site settings a configuration gives. */
  static SiteSettings siteSettings(ServerConfig config) {
    return new SiteSettings(
        config.site(),
        config.keepRuns(),
        config.repositoryUrl(),
        config.hooks(),
        config.jobLease(),
        config.errorPatterns());
  }

  /** Opens the site and starts listening. */
  public static SoilServer start(ServerConfig config) throws IOException {
    return start(config, SoilServer::openBucket);
  }

  /** The shared object store the config's {@code distributed.storage} names: an S3 bucket. */
  private static ObjectStore openBucket(StorageSettings storage) throws IOException {
    return S3ObjectStore.open(storage);
  }

  /** What opens the distributed mode's object store: S3, or a folder in tests. */
  @FunctionalInterface
  public interface Buckets {
    ObjectStore open(StorageSettings storage) throws IOException;
  }

  /**
   * As {@link #start(ServerConfig)}, the distributed mode's object store opened by {@code buckets}.
   */
  public static SoilServer start(ServerConfig config, Buckets buckets) throws IOException {
    Files.createDirectories(config.site());
    // Before anything reads the files: a commit cut off by a crash is completed first.
    int recovered = ResultStore.recoverCommits(config.site(), config.state());
    if (recovered > 0) {
      LoggerFactory.getLogger(SoilServer.class).info("completed {} interrupted commits", recovered);
    }
    LiveLogs live = new LiveLogs(config.live());
    Optional<DistributedSettings> distributed = config.distributed();
    @Nullable Cluster cluster =
        distributed.isPresent()
            ? Cluster.connect(
                distributed.get(), buckets.open(distributed.get().storage()), config.site())
            : null;
    Site site;
    try {
      site =
          Site.open(
              siteSettings(config).withState(config.state()),
              path -> {
                live.streams().pageChanged(path);
                if (cluster != null) {
                  cluster.pageChanged(path);
                }
              });
    } catch (IOException | RuntimeException e) {
      if (cluster != null) {
        cluster.close();
      }
      throw e;
    }
    if (cluster == null) {
      // In the distributed mode, only the replica that holds the site role runs it (Roles).
      site.startLeases();
    }
    ResultStore store =
        new ResultStore(config.site(), config.state(), config.limits(), site.locks());
    SiteLayout layout = new SiteLayout(config.site());
    SiteChanges changes =
        new SiteChanges(
            site,
            store,
            cluster == null ? Replication.LOCAL : cluster.replication(layout, site),
            Clock.systemUTC(),
            config.jobLease().toMillis() / 4);
    if (cluster != null) {
      cluster.start(site, changes, store, layout, config.state());
    }
    Metrics metrics = new Metrics();
    Limits limits = config.limits();
    Guards guards = config.guards();
    WwzHandler wwz =
        new WwzHandler(
            config.site(),
            new LogIndexStore(
                config.state().resolve("log-index"),
                LogIndexStore.DEFAULT_BUDGET,
                config.errorPatterns()),
            config.state().resolve("wwz-inflated"),
            // A replica catching up serves entries of zips it has not fetched yet from the bucket.
            cluster == null ? null : new BucketWwz(cluster.bucket(), 64));
    SiteFilesHandler files = new SiteFilesHandler(config.site());
    String ingestKey = LocalServer.newKey();
    XnioWorker threads = workerThreads(Math.max(16, limits.maxUploadsInFlight() + 8));
    Hooks coordinatorHooks = new Hooks(config.hooks());
    Coordinator coordinator =
        Coordinator.open(
            config.state(),
            config.coordinator(),
            Clock.systemUTC(),
            coordinatorHooks,
            (job, from) -> {
              // Shown as a job that passed at once, its status file written as for a run.
              changes.jobStarted(job, Map.of(), true);
              changes.jobDone(
                  job, 0, true, null, "reused: " + from + " passed with the same inputs");
            });
    Routes.Parts parts =
        new Routes.Parts(
            config,
            site,
            store,
            new Authenticator(
                new WorkerStore(config.state()),
                guards.loginFailuresPerAddress(),
                guards.loginFailuresPerName(),
                guards.loginFailureWindowSeconds()),
            new UploadGate(limits.maxUploadsInFlight(), guards.maxUploadsPerWorker(), metrics),
            wwz,
            files,
            metrics,
            live,
            ingestKey,
            new WorkerPoolMetrics(threads.getMXBean()),
            coordinator,
            changes,
            cluster == null ? Optional::empty : cluster::notReady);
    AccessLog accessLog = Routes.handler(parts);
    long maxEntity = limits.maxRequestBytes() + limits.drainBytes() + (1 << 20);
    Undertow undertow =
        Undertow.builder()
            .addHttpListener(config.listen().port(), config.listen().host())
            .setWorker(threads)
            .setServerOption(UndertowOptions.MAX_ENTITY_SIZE, maxEntity)
            .setServerOption(UndertowOptions.MULTIPART_MAX_ENTITY_SIZE, maxEntity)
            .setServerOption(UndertowOptions.MAX_HEADER_SIZE, limits.maxHeaderBytes())
            // A silent or slow client is cut instead of holding a connection or a thread forever.
            .setServerOption(UndertowOptions.IDLE_TIMEOUT, guards.idleTimeoutSeconds() * 1000)
            .setServerOption(UndertowOptions.NO_REQUEST_TIMEOUT, guards.idleTimeoutSeconds() * 1000)
            .setServerOption(
                UndertowOptions.REQUEST_PARSE_TIMEOUT, guards.requestParseTimeoutSeconds() * 1000)
            .setSocketOption(Options.READ_TIMEOUT, guards.readTimeoutSeconds() * 1000)
            .setSocketOption(Options.WRITE_TIMEOUT, guards.writeTimeoutSeconds() * 1000)
            .setHandler(accessLog)
            .build();
    try {
      undertow.start();
    } catch (RuntimeException e) {
      threads.shutdownNow();
      accessLog.close();
      closeQuietly(coordinator);
      coordinatorHooks.close();
      wwz.close();
      files.close();
      if (cluster != null) {
        cluster.close();
      }
      site.close();
      if (e.getCause() instanceof BindException) {
        throw new IOException(
            "cannot listen on "
                + config.listen()
                + ": the address is in use (another soil-server?); stop what listens there or"
                + " pass --listen HOST:PORT with a free port",
            e);
      }
      throw e;
    }
    SoilServer server =
        new SoilServer(
            undertow,
            threads,
            accessLog,
            wwz,
            files,
            site,
            config,
            coordinator,
            coordinatorHooks,
            cluster);
    sweepTempsLater(store);
    LocalServer.announce(config.state(), config.listen(), server.port(), ingestKey);
    return server;
  }

  /**
   * Deletes the temp files older than an hour that crashes left, on a thread of its own: walking
   * the whole tree took a start seconds. Nothing waits for it: temp files are never served or read
   * as job files, and a younger one (an upload in progress) is never deleted.
   */
  private static void sweepTempsLater(ResultStore store) {
    Thread sweeper =
        new Thread(
            () -> {
              try {
                int swept = store.sweepTemps(Duration.ofHours(1));
                LoggerFactory.getLogger(SoilServer.class)
                    .info("deleted {} stale temp files", swept);
              } catch (IOException | RuntimeException e) {
                LoggerFactory.getLogger(SoilServer.class)
                    .warn("sweeping stale temp files failed: {}", e.toString());
              }
            },
            "soil-temp-sweep");
    sweeper.setDaemon(true);
    sweeper.start();
  }

  /**
   * The I/O and worker threads, made here rather than by Undertow so the metrics can watch the
   * worker queue; the options are the ones Undertow gives its own.
   */
  private static XnioWorker workerThreads(int workers) throws IOException {
    return Xnio.getInstance(Undertow.class.getClassLoader())
        .createWorker(
            OptionMap.builder()
                .set(
                    Options.WORKER_IO_THREADS,
                    Math.max(Runtime.getRuntime().availableProcessors(), 2))
                .set(Options.CONNECTION_HIGH_WATER, 1_000_000)
                .set(Options.CONNECTION_LOW_WATER, 1_000_000)
                .set(Options.WORKER_TASK_CORE_THREADS, workers)
                .set(Options.WORKER_TASK_MAX_THREADS, workers)
                .set(Options.TCP_NODELAY, true)
                .set(Options.CORK, true)
                .getMap());
  }

  /** The port listened on (useful with port 0). */
  /**
   * Waits until every page changed by the events answered so far is written, at most {@code
   * timeoutMillis}; returns whether it is. Reads through HTTP need no such wait ({@link
   * Site#awaitPage}); this is for code in the same JVM that reads the site's files directly.
   */
  public boolean awaitPagesWritten(long timeoutMillis) throws InterruptedException {
    return site.awaitPagesWritten(timeoutMillis);
  }

  public int port() {
    return ((InetSocketAddress) undertow.getListenerInfo().get(0).getAddress()).getPort();
  }

  @Override
  public void close() {
    try {
      LocalServer.withdraw(config.state());
    } catch (IOException e) {
      // A stale file only makes ingest try this server and fall back to the files.
    }
    // First, so agents waiting for work are answered while their connections are still open.
    closeQuietly(coordinator);
    undertow.stop();
    // As Undertow stops a worker of its own: requests being run finish first.
    threads.shutdown();
    try {
      threads.awaitTermination();
    } catch (InterruptedException e) {
      threads.shutdownNow();
      Thread.currentThread().interrupt();
    }
    accessLog.close();
    coordinatorHooks.close();
    wwz.close();
    files.close();
    if (cluster != null) {
      // Before the site: the feed stops applying changes, the roles go to another replica.
      cluster.close();
    }
    site.close();
  }

  private static void closeQuietly(Coordinator coordinator) {
    try {
      coordinator.close();
    } catch (IOException e) {
      LoggerFactory.getLogger(SoilServer.class).warn("closing the coordinator's queue log", e);
    }
  }
}
