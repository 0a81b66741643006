package io.soilci.server.site;

import io.soilci.files.AtomicFiles;
import io.soilci.result.RunId;
import io.soilci.result.SiteLayout;
import io.soilci.result.WorkerHost;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
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

  /** Folders stamped at once: with a cold cache each stat waits on the disk. */
  private static final int STATTERS = 16;

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

  /** Loads the index of every host, from the snapshot where the folders match it. */
  static SavedIndex load(SiteSettings settings) throws IOException {
    SiteIndex index = new SiteIndex();
    Optional<Path> state = settings.state();
    if (state.isEmpty()) {
      for (WorkerHost host : WorkerHost.values()) {
        index.load(host, SiteLoader.load(settings.root(), host, settings.errorPatterns()));
      }
      return new SavedIndex(settings, index, false, true, List.of());
    }
    Path file = state.get().resolve(IndexSnapshot.FILE);
    removeCutOffWrites(state.get());
    StringBuilder why = new StringBuilder();
    Map<WorkerHost, Map<String, IndexSnapshot.Run>> saved =
        IndexSnapshot.read(file, IndexSnapshot.settingsKey(settings.errorPatterns()), why)
            .orElse(null);
    if (saved == null) {
      LOG.info("index snapshot {} not used ({}): reading every stored job", file, why);
    }
    boolean stale = saved == null;
    List<RunChange> changes = new ArrayList<>();
    for (WorkerHost host : WorkerHost.values()) {
      Path hostDir = hostDir(settings, host);
      Map<String, IndexSnapshot.Run> known = saved == null ? Map.of() : saved.get(host);
      if (known == null) {
        known = Map.of();
      }
      List<RunState> runs = new ArrayList<>();
      List<Path> toRead = new ArrayList<>();
      Set<String> gone = new HashSet<>(known.keySet());
      if (Files.isDirectory(hostDir)) {
        List<Path> dirs = runNames(hostDir);
        List<FolderStamp.Seen> seen = check(dirs, known);
        for (int i = 0; i < dirs.size(); i++) {
          Path dir = dirs.get(i);
          String name = dir.getFileName().toString();
          if (seen.get(i) == FolderStamp.Seen.SAME) {
            runs.add(Objects.requireNonNull(known.get(name)).state());
            gone.remove(name);
          } else if (seen.get(i) == FolderStamp.Seen.CHANGED) {
            toRead.add(dir);
            gone.remove(name);
          }
        }
      }
      stale |= !gone.isEmpty() || !toRead.isEmpty();
      if (saved != null && !toRead.isEmpty()) {
        LOG.info(
            "{}: {} runs from the index snapshot, {} read from their files (new or changed)",
            host.prefix(),
            runs.size(),
            toRead.size());
      }
      List<RunState> read = SiteLoader.loadDirs(host, toRead, settings.errorPatterns());
      runs.addAll(read);
      index.load(host, runs.stream().filter(run -> !run.jobs().isEmpty()).toList());
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
    return new SavedIndex(settings, index, stale, saved == null, changes);
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
    Optional<Path> state = settings.state();
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
  private static void removeCutOffWrites(Path state) throws IOException {
    if (!Files.isDirectory(state)) {
      return;
    }
    try (DirectoryStream<Path> temps =
        Files.newDirectoryStream(state, AtomicFiles.TEMP_PREFIX + "*-" + IndexSnapshot.FILE)) {
      for (Path temp : temps) {
        LOG.info("deleted {}: a write of the index snapshot cut off by a crash", temp);
        Files.deleteIfExists(temp);
      }
    }
  }

  /**
   * The entries of a host folder named like runs, not yet told apart from files: {@link #check}
   * does that with the stat it needs anyway, in parallel.
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

  /** For each entry whether it is a run folder whose stamp the snapshot saved, in parallel. */
  private static List<FolderStamp.Seen> check(List<Path> dirs, Map<String, IndexSnapshot.Run> known)
      throws IOException {
    ForkJoinPool pool = new ForkJoinPool(STATTERS);
    try {
      return pool.submit(
              () ->
                  dirs.parallelStream()
                      .map(
                          dir -> {
                            IndexSnapshot.Run run = known.get(dir.getFileName().toString());
                            try {
                              return FolderStamp.check(dir, run == null ? null : run.stamp());
                            } catch (IOException e) {
                              throw new java.io.UncheckedIOException(e);
                            }
                          })
                      .toList())
          .get();
    } catch (ExecutionException e) {
      throw new IOException("checking the run folders against the snapshot failed", e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while checking the run folders");
    } finally {
      pool.shutdown();
    }
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
    Optional<Path> state = settings.state();
    if (state.isPresent() && Files.exists(state.get().resolve(IndexSnapshot.FILE))) {
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
    Optional<Path> state = settings.state();
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
    Path file = state.get().resolve(IndexSnapshot.FILE);
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
  static void forget(Path state) throws IOException {
    Files.deleteIfExists(state.resolve(IndexSnapshot.FILE));
  }
}
