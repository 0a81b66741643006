package io.soilci.server;

import io.soilci.result.BadInput;
import io.soilci.result.SiteLayout;
import io.soilci.server.auth.Authenticator;
import io.soilci.server.auth.WorkerStore;
import io.soilci.server.cluster.Cluster;
import io.soilci.server.cluster.Replication;
import io.soilci.server.cluster.SiteChanges;
import io.soilci.server.config.DistributedSettings;
import io.soilci.server.config.Guards;
import io.soilci.server.config.Limits;
import io.soilci.server.config.Listen;
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
import io.soilci.server.upload.TempSweep;
import io.soilci.server.upload.UploadGate;
import io.soilci.server.wwz.BucketWwz;
import io.soilci.server.wwz.WwzHandler;
import io.soilci.threads.Daemons;
import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.UnknownHostException;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
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
  private final TempSweep sweep;

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
      @Nullable Cluster cluster,
      TempSweep sweep) {
    this.cluster = cluster;
    this.sweep = sweep;
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

  /**
   * Opens the site and starts listening. The site is opened on a thread of its own while this one
   * makes the rest (the worker threads, the handlers): on two cores that overlaps their class
   * loading and start-up; nothing listens before both are done.
   */
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
    // First: a --listen this host cannot listen on is refused before anything is written.
    requireCanListen(config.listen());
    Files.createDirectories(config.site());
    Optional<DistributedSettings> distributed = config.distributed();
    // Before anything reads the files: a commit cut off by a crash is completed first (on a single
    // box its job's hooks are due; the distributed mode's hooks keep their own rules).
    int recovered =
        ResultStore.recoverCommits(config.site(), config.stateLayout(), distributed.isEmpty());
    if (recovered > 0) {
      LoggerFactory.getLogger(SoilServer.class).info("completed {} interrupted commits", recovered);
    }
    @Nullable Cluster cluster =
        distributed.isPresent()
            ? Cluster.connect(
                distributed.get(), buckets.open(distributed.get().storage()), config.site())
            : null;
    Closer made = new Closer();
    if (cluster != null) {
      made.add(cluster);
    }
    // The site first: loading its index is the longest part of a start, and the rest is made
    // meanwhile. Live logs wait for Jackson's initialization (Preload): they are made after, and
    // until then a page the opening writes has no live viewer to tell (nothing listens yet).
    AtomicReference<LiveLogs> viewers = new AtomicReference<>();
    SiteOpening opening =
        SiteOpening.start(
            config,
            path -> {
              LiveLogs live = viewers.get();
              if (live != null) {
                live.streams().pageChanged(path);
              }
              if (cluster != null) {
                cluster.pageChanged(path);
              }
            },
            // In the distributed mode, only the replica that holds the site role runs it (Roles).
            cluster == null);
    try {
      LiveLogs live = new LiveLogs(config.live());
      viewers.set(live);
      return start(config, live, cluster, opening, made);
    } catch (IOException | RuntimeException | Error e) {
      made.closeAll(e);
      opening.closeWhenOpened(e);
      throw e;
    }
  }

  /**
   * Refuses (exit 2) a {@code listen} address this host cannot listen on now, before the site and
   * the state are opened, so a failed start leaves both as they were: binds it (as Undertow will,
   * with SO_REUSEADDR) and lets it go at once. Only a port taken by another process in the instant
   * between this and Undertow's bind fails later, once the site is open ({@link #listenFailure}).
   */
  private static void requireCanListen(Listen listen) throws IOException {
    InetSocketAddress address = new InetSocketAddress(listen.host(), listen.port());
    if (address.isUnresolved()) {
      throw listenFailure(listen, new UnknownHostException(listen.host()));
    }
    try (ServerSocketChannel probe = ServerSocketChannel.open()) {
      probe.setOption(StandardSocketOptions.SO_REUSEADDR, true);
      probe.bind(address);
    } catch (BindException e) {
      throw listenFailure(listen, e);
    }
  }

  /** Why {@code listen} cannot be listened on, in one line that says what to change. */
  private static BadInput listenFailure(Listen listen, IOException e) {
    String cannot = "cannot listen on " + listen + ": ";
    if (e instanceof UnknownHostException) {
      return new BadInput(
          cannot
              + "unknown host "
              + listen.host()
              + "; pass --listen HOST:PORT with a name or address of this host, e.g."
              + " 127.0.0.1:8080",
          e);
    }
    String reason = String.valueOf(e.getMessage());
    if (reason.contains("in use")) {
      return new BadInput(
          cannot
              + "the address is in use (another soil-server?); stop what listens there or"
              + " pass --listen HOST:PORT with a free port",
          e);
    }
    if (reason.contains("assign requested address")) {
      return new BadInput(
          cannot
              + "this host has no such address ("
              + reason
              + "); pass --listen HOST:PORT with one of its addresses, e.g. 127.0.0.1:8080,"
              + " or 0.0.0.0:8080 for all",
          e);
    }
    return new BadInput(cannot + reason + "; pass --listen HOST:PORT with another address", e);
  }

  private static SoilServer start(
      ServerConfig config,
      LiveLogs live,
      @Nullable Cluster cluster,
      SiteOpening opening,
      Closer made)
      throws IOException {
    Metrics metrics = new Metrics();
    Limits limits = config.limits();
    Guards guards = config.guards();
    WwzHandler wwz =
        made.add(
            new WwzHandler(
                config.site(),
                new LogIndexStore(
                    config.stateLayout().logIndex(),
                    LogIndexStore.DEFAULT_BUDGET,
                    config.errorPatterns()),
                config.stateLayout().wwzInflated(),
                // A replica catching up serves entries of zips it has not fetched yet from the
                // bucket.
                cluster == null ? null : new BucketWwz(cluster.bucket(), 64)));
    SiteFilesHandler files = made.add(new SiteFilesHandler(config.site()));
    String ingestKey = LocalServer.newKey();
    XnioWorker threads = workerThreads(Math.max(16, limits.maxUploadsInFlight() + 8));
    made.add(threads::shutdownNow);
    Hooks coordinatorHooks =
        made.add(Hooks.spooled(config.hooks(), config.stateLayout(), Hooks.COORDINATOR));
    Authenticator authenticator =
        new Authenticator(
            cluster == null
                ? new WorkerStore(config.stateLayout())
                : cluster.workers(new WorkerStore(config.stateLayout())),
            guards.loginFailuresPerAddress(),
            guards.loginFailuresPerName(),
            guards.loginFailureWindowSeconds());
    // Listening before the site is open: Undertow starts while the index loads, and a request
    // that comes meanwhile is held by the gate until the routes below exist (StartGate).
    StartGate gate = new StartGate(guards.maxWaitingAtStart(), limits.drainBytes());
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
            .setHandler(gate)
            .build();
    try {
      undertow.start();
    } catch (RuntimeException e) {
      Throwable cause = e.getCause();
      if (cause instanceof BindException || cause instanceof UnknownHostException) {
        throw listenFailure(config.listen(), (IOException) cause);
      }
      throw e;
    }
    made.add(undertow::stop);
    Site site = opening.await();
    made.add(site);
    ResultStore store =
        new ResultStore(config.site(), config.stateLayout(), config.limits(), site.locks());
    SiteLayout layout = new SiteLayout(config.site());
    SiteChanges changes =
        new SiteChanges(
            site,
            store,
            cluster == null
                ? Replication.LOCAL
                : cluster.replication(layout, site, config.stateLayout()),
            Clock.systemUTC(),
            config.jobLease().toMillis() / 4);
    if (cluster != null) {
      cluster.start(site, changes, store, layout, config.stateLayout());
    }
    Coordinator.ReusedJobs reused =
        (job, from) -> {
          // Shown as a job that passed at once, its status file written as for a run.
          changes.jobStarted(job, Map.of(), true);
          changes.jobDone(job, 0, true, null, "reused: " + from + " passed with the same inputs");
        };
    Coordinator coordinator =
        made.add(
            cluster == null
                ? Coordinator.open(
                    config.stateLayout(),
                    config.coordinator(),
                    Clock.systemUTC(),
                    coordinatorHooks,
                    reused)
                // The distributed mode: the queue is the stream's, every replica's the same.
                : Coordinator.replicated(
                    cluster.queue(),
                    config.coordinator(),
                    Clock.systemUTC(),
                    coordinatorHooks,
                    reused));
    site.runFinishedElsewhere(coordinator::ownsRun);
    coordinatorHooks.start();
    Routes.Parts parts =
        new Routes.Parts(
            config,
            site,
            store,
            authenticator,
            new UploadGate(limits.maxUploadsInFlight(), guards.maxUploadsPerWorker(), metrics),
            wwz,
            files,
            metrics,
            live,
            cluster == null ? live : cluster.live(live),
            ingestKey,
            new WorkerPoolMetrics(threads.getMXBean()),
            coordinator,
            changes,
            cluster == null ? Optional::empty : cluster::notReady,
            cluster == null ? out -> {} : cluster);
    AccessLog accessLog = made.add(Routes.handler(parts));
    // Requests held since the server listens are answered from here on, from the loaded index.
    gate.open(accessLog);
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
            cluster,
            TempSweep.start(config.site()));
    LocalServer.announce(config.stateLayout(), config.listen(), server.port(), ingestKey);
    return server;
  }

  /** The site being opened on a thread of its own ({@link #start}). */
  private static final class SiteOpening {
    private final FutureTask<Site> task;
    private volatile boolean taken;

    private SiteOpening(FutureTask<Site> task) {
      this.task = task;
    }

    static SiteOpening start(
        ServerConfig config, Consumer<String> pageChanged, boolean startLeases) {
      FutureTask<Site> task =
          new FutureTask<>(
              () -> {
                Site site;
                try {
                  site =
                      Site.open(siteSettings(config).withState(config.stateLayout()), pageChanged);
                } catch (IOException e) {
                  // Site.open stopped what it started; the start stops the rest (Closer).
                  throw new IOException("cannot open the site " + config.site() + ": " + e, e);
                }
                if (startLeases) {
                  site.startLeases();
                }
                return site;
              });
      Daemons.start("soil-site-open", task);
      return new SiteOpening(task);
    }

    /**
     * Waits until the site is open and takes it: from then on the caller closes it. A failure to
     * open it is thrown as it was thrown.
     */
    Site await() throws IOException {
      Site site = get();
      taken = true;
      return site;
    }

    /** When the start failed before it took the site: waits for it and closes it, if it opened. */
    void closeWhenOpened(Throwable failure) {
      if (taken) {
        return;
      }
      try {
        get().close();
      } catch (IOException | RuntimeException | Error e) {
        if (e != failure) {
          failure.addSuppressed(e);
        }
      }
    }

    private Site get() throws IOException {
      boolean interrupted = false;
      try {
        while (true) {
          try {
            return task.get();
          } catch (InterruptedException e) {
            interrupted = true;
          } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
              throw io;
            }
            if (cause instanceof RuntimeException runtime) {
              throw runtime;
            }
            if (cause instanceof Error error) {
              throw error;
            }
            throw new IOException("opening the site failed: " + cause, cause);
          }
        }
      } finally {
        if (interrupted) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }

  /** What a start made so far, closed in reverse order when a later step fails. */
  private static final class Closer {
    private final ArrayDeque<AutoCloseable> made = new ArrayDeque<>();

    <T extends AutoCloseable> T add(T closeable) {
      made.push(closeable);
      return closeable;
    }

    void closeAll(Throwable failure) {
      while (!made.isEmpty()) {
        try {
          made.pop().close();
        } catch (Exception e) {
          failure.addSuppressed(e);
        }
      }
    }
  }

  /**
   * The I/O and worker threads, made here rather than by Undertow so the metrics can watch the
   * worker queue; the options are the ones Undertow gives its own.
   */
  private static XnioWorker workerThreads(int workers) throws IOException {
    LibraryLogs.quiet();
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
      LocalServer.withdraw(config.stateLayout());
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
    sweep.close();
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
