package io.soilci.worker.workspace;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * The instances of one cache entry: a copy of the prepared folder per job running at the same time,
 * each behind its own lock file, so that concurrent jobs never share one. An instance is reused
 * only when it is clean, of the current generation and unchanged since its reset; one left in use
 * (a job that crashed before its reset) or touched afterwards is made again.
 */
final class InstancePool {
  /** How many jobs may use one workspace at the same time on one machine. */
  static final int MAX_INSTANCES = 32;

  private final Consumer<String> progress;
  private final java.util.Map<String, String> toolEnv;

  InstancePool(Consumer<String> progress, java.util.Map<String, String> toolEnv) {
    this.progress = progress;
    this.toolEnv = java.util.Map.copyOf(toolEnv);
  }

  /**
   * A free instance of {@code entry} made ready from {@code state}, marked in use by {@code job}.
   */
  Taken take(CacheEntry entry, PreparedState state, String job) {
    for (int slot = 0; slot < MAX_INSTANCES; slot++) {
      FileLockHold hold = FileLockHold.tryTake(entry.instanceLock(slot));
      if (hold == null) {
        continue;
      }
      try {
        ready(entry, slot, state);
        InstanceState clean = java.util.Objects.requireNonNull(read(entry, slot));
        StateFiles.write(entry.instanceState(slot), clean.takenBy(job, now()));
        return new Taken(slot, entry.instance(slot), hold);
      } catch (RuntimeException e) {
        hold.close();
        throw e;
      }
    }
    throw new WorkspaceFailure(
        "all "
            + MAX_INSTANCES
            + " instances of "
            + entry.dir()
            + " are in use: wait for a job to end");
  }

  /**
   * Makes instance {@code slot} a clean copy of {@code state}, reusing it when it already is one.
   */
  void ready(CacheEntry entry, int slot, PreparedState state) {
    String why = staleReason(entry, slot, state);
    if (why == null) {
      progress.accept("reusing clean instance " + slot);
      return;
    }
    progress.accept(why);
    remake(entry, slot, state);
  }

  /** Why instance {@code slot} is not a clean copy of {@code state}, or null when it is. */
  @Nullable String staleReason(CacheEntry entry, int slot, PreparedState state) {
    InstanceState current = read(entry, slot);
    if (current == null || !Files.isDirectory(entry.instance(slot))) {
      return "making instance " + slot + " from the prepared state";
    }
    if (current.inUse()) {
      return "instance "
          + slot
          + " was left in use by job "
          + current.job()
          + " without a reset: making it again";
    }
    if (current.generation() != state.generation()) {
      return "instance " + slot + " holds older commits: making it again";
    }
    if (!TreeFingerprint.of(entry.instance(slot)).equals(current.fingerprint())) {
      return "instance " + slot + " changed after its reset: making it again";
    }
    return null;
  }

  /**
   * Makes instance {@code slot} equal to the prepared folder again, marked clean: a full copy the
   * first time, then only what the job (or a new commit) changed.
   */
  void remake(CacheEntry entry, int slot, PreparedState state) {
    Path dir = entry.instance(slot);
    TreeSync.Synced last = lastSync(entry, slot);
    TreeSync.Synced synced;
    if (last == null || !Files.isDirectory(dir)) {
      Trees.delete(dir);
      TreeManifest source = TreeManifest.of(entry.prepared());
      Trees.copy(entry.prepared(), dir, toolEnv);
      synced = new TreeSync.Synced(source, TreeManifest.of(dir));
    } else {
      synced = TreeSync.sync(entry.prepared(), dir, last);
    }
    synced.source().write(entry.instanceSource(slot));
    synced.target().write(entry.instanceTarget(slot));
    InstanceState clean =
        new InstanceState(
            InstanceState.CLEAN, state.generation(), synced.target().digest(), null, now());
    StateFiles.write(entry.instanceState(slot), clean);
  }

  private static TreeSync.@Nullable Synced lastSync(CacheEntry entry, int slot) {
    TreeManifest source = TreeManifest.read(entry.instanceSource(slot));
    TreeManifest target = TreeManifest.read(entry.instanceTarget(slot));
    return source == null || target == null ? null : new TreeSync.Synced(source, target);
  }

  @Nullable InstanceState read(CacheEntry entry, int slot) {
    return StateFiles.read(entry.instanceState(slot), InstanceState.class);
  }

  private static long now() {
    return Instant.now().getEpochSecond();
  }

  /** An instance taken for a job: its slot, its folder and the lock that keeps it the job's. */
  record Taken(int slot, Path dir, FileLockHold hold) {}
}
