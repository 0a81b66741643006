package io.soilci.worker.workspace;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * The prepared workspaces under one cache root. A miss clones every repository and runs the setup
 * script; a hit fetches each ref and checks out only the ones that moved; an entry found stale (its
 * files changed, its image gone, its base image changed) is prepared anew, never reused. Callers
 * hold the entry's lock.
 */
final class WorkspaceCache {
  private final Path root;
  private final SetupHost setup;
  private final HostGit git;
  private final Consumer<String> progress;

  WorkspaceCache(Path root, SetupHost setup, HostGit git, Consumer<String> progress) {
    this.root = root;
    this.setup = setup;
    this.git = git;
    this.progress = progress;
  }

  String key(WorkspaceConfig config) {
    return CacheKey.of(config, setup.provider());
  }

  CacheEntry entry(WorkspaceConfig config) {
    return new CacheEntry(root.resolve(config.name() + "-" + setup.provider() + "-" + key(config)));
  }

  /** Makes {@code entry} hold {@code config} prepared at the refs' current commits. */
  Preparation prepare(WorkspaceConfig config, CacheEntry entry) {
    long start = System.nanoTime();
    PreparedState cached = StateFiles.read(entry.state(), PreparedState.class);
    SetupHost.BaseImage base =
        setup.baseImage(config, cached == null ? null : cached.image(), progress);
    String stale = cached == null ? null : staleReason(config, cached, entry, base);
    PreparedState state;
    if (cached != null && stale == null) {
      state = update(config, entry, cached);
    } else {
      progress.accept(
          "workspace "
              + config.name()
              + (cached == null
                  ? " is not cached: preparing it"
                  : " is stale (" + stale + "): preparing it again"));
      state = build(config, entry, base, cached);
    }
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    return new Preparation(
        config.name(),
        key(config),
        stale == null && cached != null,
        took,
        base == null ? null : base.pullTime(),
        state.commits(),
        state.image());
  }

  /** Why {@code state} must not be reused, or null when it may. */
  @Nullable String staleReason(
      WorkspaceConfig config,
      PreparedState state,
      CacheEntry entry,
      SetupHost.@Nullable BaseImage base) {
    if (!key(config).equals(state.key()) || !state.commits().keySet().equals(paths(config))) {
      return "its state file does not match the workspace";
    }
    if (!Files.isDirectory(entry.prepared())) {
      return "its prepared folder is missing";
    }
    if (!TreeFingerprint.of(entry.prepared()).equals(state.fingerprint())) {
      return "its prepared files changed after they were prepared";
    }
    if (base != null && !base.id().equals(state.baseImageId())) {
      return "its base image changed";
    }
    boolean kept = base != null ? base.committedExists() : setup.holds(state.image());
    if (state.image() != null && !kept) {
      return "its image " + state.image() + " is gone";
    }
    return null;
  }

  private PreparedState build(
      WorkspaceConfig config,
      CacheEntry entry,
      SetupHost.@Nullable BaseImage base,
      @Nullable PreparedState old) {
    if (old != null) {
      setup.discard(old.image());
    }
    Path building = entry.building();
    Trees.delete(building);
    Map<String, String> commits = cloneAll(config, building);
    mkdirs(building);
    String image = setup.setUp(config, key(config), building, progress);
    Trees.delete(entry.prepared());
    move(building, entry.prepared());
    PreparedState state =
        new PreparedState(
            key(config),
            setup.provider(),
            old == null ? 1 : old.generation() + 1,
            commits,
            image,
            base == null ? null : base.id(),
            TreeFingerprint.of(entry.prepared()),
            Instant.now().getEpochSecond());
    StateFiles.write(entry.state(), state);
    return state;
  }

  private Map<String, String> cloneAll(WorkspaceConfig config, Path building) {
    Map<String, String> commits = new LinkedHashMap<>();
    for (Repository repository : config.repositories()) {
      commits.put(
          repository.path(), git.cloneInto(repository, building.resolve(repository.path())));
    }
    return commits;
  }

  private PreparedState update(WorkspaceConfig config, CacheEntry entry, PreparedState cached) {
    Map<String, String> commits = new LinkedHashMap<>();
    for (Repository repository : config.repositories()) {
      String known = Objects.requireNonNull(cached.commits().get(repository.path()));
      commits.put(
          repository.path(),
          git.update(repository, entry.prepared().resolve(repository.path()), known));
    }
    if (commits.equals(cached.commits())) {
      // An up-to-date fetch writes nothing (HostGit#fetch); were it to, the next job would find
      // the fingerprint changed and prepare again: slow, never wrong.
      return cached;
    }
    PreparedState state = cached.updated(commits, TreeFingerprint.of(entry.prepared()));
    StateFiles.write(entry.state(), state);
    return state;
  }

  private static java.util.Set<String> paths(WorkspaceConfig config) {
    return config.repositories().stream()
        .map(Repository::path)
        .collect(java.util.stream.Collectors.toSet());
  }

  private static void mkdirs(Path dir) {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + dir, e);
    }
  }

  private static void move(Path from, Path to) {
    try {
      Files.move(from, to, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot move " + from + " to " + to, e);
    }
  }
}
