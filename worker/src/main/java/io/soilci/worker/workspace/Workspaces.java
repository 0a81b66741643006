package io.soilci.worker.workspace;

import io.soilci.result.BadInput;
import io.soilci.result.Printable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Workspaces under one cache root for one provider: {@link #open} gives a job its own instance,
 * prepared from the cache (or prepared anew), and its lease's close resets it. The {@code
 * workspace} command's prepare, status, reset and remove are here too.
 */
public final class Workspaces {
  private final WorkspaceCache cache;
  private final InstancePool pool;
  private final SetupHost setup;
  private final Path root;
  private final Consumer<String> progress;

  Workspaces(Path cacheRoot, SetupHost setup, HostEnvironment host, Consumer<String> progress) {
    // Absolute: instance folders become bind mounts and checkouts, which must be.
    Path root = cacheRoot.toAbsolutePath().normalize();
    this.root = root;
    this.progress = progress;
    this.setup = setup;
    this.cache = new WorkspaceCache(root, setup, new HostGit(host, progress), progress);
    this.pool = new InstancePool(progress, host.forTools());
  }

  /**
   * Workspaces under {@code root} for {@code provider} ({@code local}, {@code podman} or {@code
   * docker}), running {@code containerCli} when not null, with {@code env} as the host's
   * environment; progress lines go to {@code progress}.
   */
  public static Workspaces create(
      Path root,
      String provider,
      @Nullable String containerCli,
      Map<String, String> env,
      Consumer<String> progress) {
    HostEnvironment host = new HostEnvironment(env);
    return new Workspaces(root, setupHost(provider, containerCli, host), host, progress);
  }

  static SetupHost setupHost(String provider, @Nullable String containerCli, HostEnvironment host) {
    return switch (provider) {
      case "local" -> new LocalSetup(host);
      case "podman", "docker" ->
          new ContainerSetup(provider, containerCli == null ? provider : containerCli, host);
      default ->
          throw new BadInput(
              "provider '" + Printable.of(provider) + "' must be local, podman or docker");
    };
  }

  /** {@code $XDG_CACHE_HOME/soil/workspaces}, else {@code ~/.cache/soil/workspaces}. */
  public static Path defaultRoot(Map<String, String> env) {
    String xdg = env.get("XDG_CACHE_HOME");
    if (xdg != null && Path.of(xdg).isAbsolute()) {
      return Path.of(xdg, "soil", "workspaces");
    }
    return Path.of(
        env.getOrDefault("HOME", System.getProperty("user.home")), ".cache", "soil", "workspaces");
  }

  public Path root() {
    return root;
  }

  /** Makes {@code config}'s cache entry ready: cloned and set up, or fetched when cached. */
  public Preparation prepare(WorkspaceConfig config) {
    setup.check(config);
    CacheEntry entry = cache.entry(config);
    return underLock(entry, () -> cache.prepare(config, entry));
  }

  /** Gives {@code job} its own instance of {@code config}'s workspace, ready to run in. */
  public Lease open(WorkspaceConfig config, String job) {
    setup.check(config);
    long start = System.nanoTime();
    CacheEntry entry = cache.entry(config);
    return underLock(
        entry,
        () -> {
          Preparation prepared = cache.prepare(config, entry);
          PreparedState state = requireState(entry);
          InstancePool.Taken taken = pool.take(entry, state, job);
          Preparation timed =
              new Preparation(
                  prepared.name(),
                  prepared.key(),
                  prepared.cacheHit(),
                  Duration.ofNanos(System.nanoTime() - start),
                  prepared.imagePullTime(),
                  prepared.commits(),
                  prepared.image());
          return new Lease(this, entry, taken, config, timed);
        });
  }

  /**
   * Resets {@code lease}'s instance from the prepared state and frees it. A reset that fails is
   * reported, not thrown: the job is over, and its instance stays marked in use, so the next job
   * finds it stale and makes it again.
   */
  void release(Lease lease) {
    InstancePool.Taken taken = lease.taken();
    try {
      underLock(
          lease.entry(),
          () -> {
            PreparedState state = StateFiles.read(lease.entry().state(), PreparedState.class);
            if (state == null) {
              Trees.delete(taken.dir());
            } else {
              pool.remake(lease.entry(), taken.slot(), state);
            }
            return null;
          });
    } catch (WorkspaceFailure | java.io.UncheckedIOException e) {
      progress.accept(
          "could not reset instance "
              + taken.slot()
              + " ("
              + e.getMessage()
              + "): the next job will make it again");
    } finally {
      taken.hold().close();
    }
  }

  /** Resets every instance of {@code config} no job holds now; returns how many. */
  public int reset(WorkspaceConfig config) {
    CacheEntry entry = cache.entry(config);
    return underLock(
        entry,
        () -> {
          PreparedState state = requireState(entry);
          int reset = 0;
          for (int slot = 0; slot < InstancePool.MAX_INSTANCES; slot++) {
            if (Files.isDirectory(entry.instance(slot)) && resetFree(entry, slot, state)) {
              reset++;
            }
          }
          return reset;
        });
  }

  private boolean resetFree(CacheEntry entry, int slot, PreparedState state) {
    FileLockHold slotHold = FileLockHold.tryTake(entry.instanceLock(slot));
    if (slotHold == null) {
      return false;
    }
    try {
      pool.remake(entry, slot, state);
      return true;
    } finally {
      slotHold.close();
    }
  }

  /** Deletes {@code config}'s cache entry, its instances and its image. */
  public void remove(WorkspaceConfig config) {
    CacheEntry entry = cache.entry(config);
    underLock(
        entry,
        () -> {
          for (int slot = 0; slot < InstancePool.MAX_INSTANCES; slot++) {
            Path lock = entry.instanceLock(slot);
            if (Files.exists(lock) && FileLockHold.isHeld(lock)) {
              throw new WorkspaceFailure(
                  "instance "
                      + slot
                      + " of workspace "
                      + config.name()
                      + " is in use by a running job: remove it after the job ends");
            }
          }
          PreparedState state = StateFiles.read(entry.state(), PreparedState.class);
          if (state != null) {
            setup.discard(state.image());
          }
          Trees.delete(entry.dir());
          return null;
        });
  }

  /** What {@code workspace status} prints for {@code config}. */
  public String status(WorkspaceConfig config) {
    return new WorkspaceStatus(root, cache, pool, setup).describe(config);
  }

  private <T> T underLock(CacheEntry entry, java.util.function.Supplier<T> work) {
    FileLockHold hold = FileLockHold.tryTake(entry.lock());
    if (hold == null) {
      progress.accept(
          "waiting for another job preparing or resetting " + entry.dir().getFileName());
      hold = FileLockHold.take(entry.lock());
    }
    try {
      return work.get();
    } finally {
      hold.close();
    }
  }

  private static PreparedState requireState(CacheEntry entry) {
    PreparedState state = StateFiles.read(entry.state(), PreparedState.class);
    if (state == null) {
      throw new WorkspaceFailure(
          "workspace in "
              + entry.dir()
              + " is not prepared: run 'soil-worker workspace prepare' first");
    }
    return state;
  }
}
