package io.soilci.server.site;

import io.soilci.files.AtomicFiles;
import io.soilci.result.RunId;
import io.soilci.result.SiteLayout;
import io.soilci.result.WorkerHost;
import io.soilci.server.state.StateLayout;
import io.soilci.threads.Daemons;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.Future;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The index at start and stop ({@link IndexSnapshot}): at start each run whose folder still has the
 * stamp the snapshot saved ({@link FolderStamp}) is taken from it, and only the others (new,
 * changed, or all of them without a usable snapshot) are read from their job files; runs gone from
 * disk are dropped. A new snapshot is written at the end of a start that read anything, and when
 * the server stops, unless the snapshot was deleted meanwhile ({@code regen} deletes it, so the
 * next start reads every job). Without a state folder ({@code regen}, {@code ingest}) every job is
 * read.
 */
final class SavedIndex {
  private static final Logger LOG = LoggerFactory.getLogger(SavedIndex.class);

  /**
   * Folders stamped at once: with a cold cache each stat waits on the disk, with a warm one it is
   * CPU taken from the snapshot's decoding. Cold, 4 threads stat 5,000 folders about as fast as 16
   * (one disk serves them); warm, 16 threads cost more CPU than 4 (docs/BENCHMARKS.md, "Stop 31").
   */
  private static final int STATTERS = 4;

  /**
   * A run the snapshot had otherwise than its folder has now: {@code before} as the snapshot held
   * it (null: new), {@code after} as read from its files (null: its folder is gone).
   */
  record RunChange(WorkerHost host, @Nullable RunState before, @Nullable RunState after) {}

  private final SiteSettings settings;
  private final SiteIndex index;
  private final boolean stale;
  private final boolean everyJob;
  private final List<RunChange> changes;

  private SavedIndex(
      SiteSettings settings,
      SiteIndex index,
      boolean stale,
      boolean everyJob,
      List<RunChange> changes) {
    this.settings = settings;
    this.index = index;
    this.stale = stale;
    this.everyJob = everyJob;
    this.changes = List.copyOf(changes);
  }

  SiteIndex index() {
    return index;
  }

  /**
   * Loads the index of every host, from the snapshot where the folders match it. Three things
   * overlap: the run folders are listed and stat'ed (in parallel, for a cold cache), the snapshot
   * is decoded on this thread, and each run decoded is loaded into the index on another thread at
   * once, before its folder's stamp is known. Once all three are done, the runs whose folders do
   * not have the stamp the snapshot saved (changed or gone) are taken out again and the new or
   * changed ones read from their files: the index ends as if only the matching runs had been
   * loaded, and a cold cache's stats no longer hold up the loading. Nothing is served before this
   * returns.
   */
  static SavedIndex load(SiteSettings settings) throws IOException {
    Optional<StateLayout> state = settings.state();
    if (state.isEmpty()) {
      SiteIndex index = new SiteIndex();
      for (WorkerHost host : WorkerHost.values()) {
        index.load(host, SiteLoader.load(settings.root(), host, settings.errorPatterns()));
      }
      return new SavedIndex(settings, index, false, true, List.of());
    }
    long t0 = System.nanoTime();
    Path file = state.get().indexSnapshot();
    removeCutOffWrites(file);
    ForkJoinPool statters = new ForkJoinPool(STATTERS);
    Map<WorkerHost, Map<String, IndexSnapshot.Run>> saved;
    Map<WorkerHost, Map<String, FolderStamp.Found>> folders;
    Loader loader;
    StringBuilder why = new StringBuilder();
    try {
      Future<Map<WorkerHost, Map<String, FolderStamp.Found>>> found =
          statters.submit(() -> findRunFolders(settings));
      loader = new Loader();
      try {
        saved =
            IndexSnapshot.read(
                    file, IndexSnapshot.settingsKey(settings.errorPatterns()), why, loader::offer)
                .orElse(null);
      } finally {
        loader.finish();
      }
      folders = await(found);
    } finally {
      statters.shutdown();
    }
    SiteIndex index;
    if (saved == null) {
      LOG.info("index snapshot {} not used ({}): reading every stored job", file, why);
      // What the loader took from a snapshot that turned out unusable is thrown away.
      index = new SiteIndex();
    } else {
      index = loader.index;
    }
    boolean stale = saved == null;
    List<RunChange> changes = new ArrayList<>();
    int fromSnapshot = 0;
    int fromFiles = 0;
    for (WorkerHost host : WorkerHost.values()) {
      Map<String, IndexSnapshot.Run> known = saved == null ? Map.of() : saved.get(host);
      if (known == null) {
        known = Map.of();
      }
      List<Path> toRead = new ArrayList<>();
      Set<String> gone = new HashSet<>(known.keySet());
      int taken = 0;
      for (FolderStamp.Found folder : folders.getOrDefault(host, Map.of()).values()) {
        String name = folder.dir().getFileName().toString();
        IndexSnapshot.Run before = known.get(name);
        if (before != null && folder.against(before.stamp()) == FolderStamp.Seen.SAME) {
          gone.remove(name);
          taken++;
        } else if (folder.folder()) {
          toRead.add(folder.dir());
          gone.remove(name);
          if (before != null) {
            // Loaded from the snapshot before its folder was known to have changed.
            index.drop(host, before.state().id());
          }
        }
      }
      for (String name : gone) {
        index.drop(host, Objects.requireNonNull(known.get(name)).state().id());
      }
      stale |= !gone.isEmpty() || !toRead.isEmpty();
      if (saved != null && !toRead.isEmpty()) {
        LOG.info(
            "{}: {} runs from the index snapshot, {} read from their files (new or changed)",
            host.prefix(),
            taken,
            toRead.size());
      }
      List<RunState> read = SiteLoader.loadDirs(host, toRead, settings.errorPatterns());
      index.load(host, read.stream().filter(run -> !run.jobs().isEmpty()).toList());
      fromSnapshot += taken;
      fromFiles += read.size();
      if (saved != null) {
        for (RunState after : read) {
          IndexSnapshot.Run before = known.get(after.id().value());
          change(changes, host, before == null ? null : before.state(), after);
        }
        for (String name : gone) {
          change(changes, host, Objects.requireNonNull(known.get(name)).state(), null);
        }
      }
    }
    LOG.info(
        "index loaded in {} ms: {} runs from the snapshot, {} read from their files",
        (System.nanoTime() - t0) / 1_000_000,
        fromSnapshot,
        fromFiles);
    return new SavedIndex(settings, index, stale, saved == null, changes);
  }

  /** What the folders' stats found; a folder that could not be stat'ed is thrown here. */
  private static Map<WorkerHost, Map<String, FolderStamp.Found>> await(
      Future<Map<WorkerHost, Map<String, FolderStamp.Found>>> found) throws IOException {
    boolean interrupted = false;
    try {
      while (true) {
        try {
          return found.get();
        } catch (InterruptedException e) {
          interrupted = true;
        } catch (ExecutionException e) {
          Throwable cause = e.getCause();
          throw cause instanceof IOException io
              ? io
              : new IOException("stat'ing the run folders failed: " + cause, cause);
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /**
   * Loads the snapshot's runs into an index as they are decoded, on a thread of its own, handed
   * over in batches (one wake-up per batch, not per run). A failure is thrown by {@link #finish};
   * the decoding is never blocked by it.
   */
  private static final class Loader {
    private static final int BATCH = 64;

    /** The end of the runs (compared by identity). */
    private static final List<Decoded> END = new ArrayList<>(0);

    private final BlockingQueue<List<Decoded>> queue = new ArrayBlockingQueue<>(64);
    private final Thread thread;
    final SiteIndex index = new SiteIndex();
    private List<Decoded> batch = new ArrayList<>(BATCH);
    private @Nullable RuntimeException failure;

    private record Decoded(WorkerHost host, IndexSnapshot.Run run) {}

    Loader() {
      this.thread = Daemons.start("soil-index-load", this::run);
    }

    /** Hands a decoded run to the loading thread (waits while it is 64 batches behind). */
    void offer(WorkerHost host, IndexSnapshot.Run run) {
      batch.add(new Decoded(host, run));
      if (batch.size() == BATCH) {
        put(batch);
        batch = new ArrayList<>(BATCH);
      }
    }

    /** No more runs: waits until every one offered is loaded; throws what loading threw. */
    void finish() {
      if (!batch.isEmpty()) {
        put(batch);
      }
      put(END);
      boolean interrupted = false;
      while (true) {
        try {
          thread.join();
          break;
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
      if (failure != null) {
        throw failure;
      }
    }

    private void put(List<Decoded> item) {
      boolean interrupted = false;
      while (true) {
        try {
          queue.put(item);
          break;
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }

    private void run() {
      while (true) {
        List<Decoded> item;
        try {
          item = queue.take();
        } catch (InterruptedException e) {
          // Only finish() ends this thread, with END: the decoding thread must never block.
          continue;
        }
        if (item == END) {
          return;
        }
        if (failure != null) {
          continue;
        }
        try {
          for (Decoded decoded : item) {
            RunState run = decoded.run().state();
            if (!run.jobs().isEmpty()) {
              index.load(decoded.host(), List.of(run));
            }
          }
        } catch (RuntimeException e) {
          failure = e;
        }
      }
    }
  }

  /** Notes a change; a run without jobs counts as none (the snapshot keeps empty folders too). */
  private static void change(
      List<RunChange> changes,
      WorkerHost host,
      @Nullable RunState before,
      @Nullable RunState after) {
    RunState was = before == null || before.jobs().isEmpty() ? null : before;
    RunState now = after == null || after.jobs().isEmpty() ? null : after;
    if (was != null || now != null) {
      changes.add(new RunChange(host, was, now));
    }
  }

  /**
   * Pages may differ from the index (writing them failed): the snapshot is deleted and not written
   * at stop, so the next start reads every job and checks the newest runs' pages, as without one.
   */
  void pagesMayBeStale() {
    Optional<StateLayout> state = settings.state();
    if (state.isEmpty()) {
      return;
    }
    try {
      forget(state.get());
    } catch (IOException e) {
      LOG.warn(
          "the index snapshot could not be deleted after a failed page write: {}", e.toString());
    }
  }

  /**
   * The runs a start found changed since the snapshot (none when no snapshot was used: then every
   * job was read): their pages may differ from the files.
   */
  List<RunChange> changes() {
    return changes;
  }

  /**
   * Deletes what a write of the snapshot cut off by a crash left (its temp files): only the server
   * writes the snapshot, and this runs before it can.
   */
  private static void removeCutOffWrites(Path snapshot) throws IOException {
    Path state = Objects.requireNonNull(snapshot.getParent());
    if (!Files.isDirectory(state)) {
      return;
    }
    try (DirectoryStream<Path> temps =
        Files.newDirectoryStream(state, AtomicFiles.TEMP_PREFIX + "*-" + snapshot.getFileName())) {
      for (Path temp : temps) {
        LOG.info("deleted {}: a write of the index snapshot cut off by a crash", temp);
        Files.deleteIfExists(temp);
      }
    }
  }

  /**
   * The entries of a host folder named like runs, not yet told apart from files: {@link
   * #findRunFolders} does that with the stat it needs anyway, in parallel.
   */
  private static List<Path> runNames(Path hostDir) throws IOException {
    List<Path> out = new ArrayList<>();
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(hostDir)) {
      for (Path dir : dirs) {
        if (SiteLayout.isRunName(dir.getFileName().toString())) {
          out.add(dir);
        }
      }
    }
    return out;
  }

  /**
   * Every host's entries named like runs, each stat'ed once ({@link FolderStamp.Found}), by name;
   * in parallel when called on a pool: with a cold cache each stat waits on the disk.
   */
  private static Map<WorkerHost, Map<String, FolderStamp.Found>> findRunFolders(
      SiteSettings settings) throws IOException {
    Map<WorkerHost, Map<String, FolderStamp.Found>> out = new EnumMap<>(WorkerHost.class);
    for (WorkerHost host : WorkerHost.values()) {
      Path hostDir = hostDir(settings, host);
      if (!Files.isDirectory(hostDir)) {
        continue;
      }
      List<FolderStamp.Found> found;
      try {
        found =
            runNames(hostDir).parallelStream()
                .map(
                    dir -> {
                      try {
                        return FolderStamp.Found.of(dir);
                      } catch (IOException e) {
                        throw new UncheckedIOException(e);
                      }
                    })
                .toList();
      } catch (UncheckedIOException e) {
        throw e.getCause();
      }
      Map<String, FolderStamp.Found> byName = new LinkedHashMap<>();
      found.forEach(f -> byName.put(f.dir().getFileName().toString(), f));
      out.put(host, byName);
    }
    return out;
  }

  /** Writes a snapshot now when the start read anything from the files. */
  void saveIfStale() throws IOException {
    if (stale) {
      save();
    }
  }

  /**
   * Writes a snapshot (when the server stops) unless it was deleted since the start; a failure is
   * logged: the next start then reads the runs the old snapshot does not match.
   */
  void saveIfKept() {
    Optional<StateLayout> state = settings.state();
    if (state.isPresent() && Files.exists(state.get().indexSnapshot())) {
      try {
        save();
      } catch (IOException | RuntimeException e) {
        LOG.warn("the index snapshot could not be written: {}", e.toString());
      }
    }
  }

  /** True when no snapshot was used: every stored job was read from its files. */
  boolean readEveryJob() {
    return everyJob;
  }

  /**
   * Writes the snapshot: every run folder of every host with its stamp and its runs as the index
   * holds them (empty when none). Empty {@code .running} folders are removed first, so that a start
   * need stamp only the run folder of a run with no running job. Call it when nothing changes the
   * site.
   */
  private void save() throws IOException {
    Optional<StateLayout> state = settings.state();
    if (state.isEmpty()) {
      return;
    }
    long t0 = System.nanoTime();
    Map<WorkerHost, List<IndexSnapshot.Run>> out = new EnumMap<>(WorkerHost.class);
    int count = 0;
    for (WorkerHost host : WorkerHost.values()) {
      List<IndexSnapshot.Run> runs = new ArrayList<>();
      Path hostDir = hostDir(settings, host);
      if (Files.isDirectory(hostDir)) {
        for (Path dir : SiteLoader.runDirs(hostDir)) {
          removeIfEmpty(dir.resolve(SiteLayout.RUNNING_DIR));
          RunId id = new RunId(dir.getFileName().toString());
          RunState run = index.run(host, id);
          runs.add(
              new IndexSnapshot.Run(
                  run == null ? RunState.empty(id, 0) : run, FolderStamp.of(dir)));
        }
      }
      count += runs.size();
      out.put(host, runs);
    }
    Path file = state.get().indexSnapshot();
    IndexSnapshot.write(file, IndexSnapshot.settingsKey(settings.errorPatterns()), out);
    LOG.info(
        "wrote the index snapshot {} ({} run folders, {} bytes) in {} ms",
        file,
        count,
        Files.size(file),
        (System.nanoTime() - t0) / 1_000_000);
  }

  private static void removeIfEmpty(Path dir) throws IOException {
    try {
      Files.delete(dir);
    } catch (DirectoryNotEmptyException | NoSuchFileException e) {
      // Running jobs' state stays; no folder, nothing to do.
    }
  }

  private static Path hostDir(SiteSettings settings, WorkerHost host) {
    return new SiteLayout(settings.root()).path(SiteLayout.hostDir(host));
  }

  /** Deletes the snapshot in {@code state}; the next start reads every stored job. */
  static void forget(StateLayout state) throws IOException {
    Files.deleteIfExists(state.indexSnapshot());
  }
}
