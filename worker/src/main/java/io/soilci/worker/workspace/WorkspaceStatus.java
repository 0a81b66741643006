package io.soilci.worker.workspace;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;

/** The text of {@code workspace status}: where the cache is, what is prepared, each instance. */
final class WorkspaceStatus {
  private final Path root;
  private final WorkspaceCache cache;
  private final InstancePool pool;
  private final SetupHost setup;

  WorkspaceStatus(Path root, WorkspaceCache cache, InstancePool pool, SetupHost setup) {
    this.root = root;
    this.cache = cache;
    this.pool = pool;
    this.setup = setup;
  }

  String describe(WorkspaceConfig config) {
    CacheEntry entry = cache.entry(config);
    StringBuilder out = new StringBuilder();
    line(out, "cache root: " + root);
    line(
        out,
        "workspace: "
            + config.name()
            + " (provider "
            + setup.provider()
            + ", key "
            + cache.key(config)
            + ")");
    line(out, "entry: " + entry.dir());
    PreparedState state = StateFiles.read(entry.state(), PreparedState.class);
    if (state == null) {
      line(out, "state: not prepared");
      return out.toString();
    }
    describePrepared(out, config, entry, state);
    return out.toString();
  }

  private void describePrepared(
      StringBuilder out, WorkspaceConfig config, CacheEntry entry, PreparedState state) {
    String stale = cache.staleReason(config, state, entry, null);
    line(
        out,
        "state: "
            + (stale == null ? "prepared" : "stale, " + stale)
            + ", generation "
            + state.generation()
            + ", prepared at "
            + Instant.ofEpochSecond(state.preparedAt()));
    if (state.image() != null) {
      line(out, "image: " + state.image());
    }
    for (Map.Entry<String, String> commit : state.commits().entrySet()) {
      line(out, "repository " + commit.getKey() + ": " + commit.getValue());
    }
    for (int slot = 0; slot < InstancePool.MAX_INSTANCES; slot++) {
      if (Files.isDirectory(entry.instance(slot))) {
        line(out, "instance " + slot + ": " + instance(entry, slot, state));
      }
    }
  }

  private String instance(CacheEntry entry, int slot, PreparedState state) {
    InstanceState current = pool.read(entry, slot);
    if (FileLockHold.isHeld(entry.instanceLock(slot))) {
      return "in use by job " + (current == null ? "?" : current.job()) + " (running)";
    }
    String stale = pool.staleReason(entry, slot, state);
    return entry.instance(slot) + (stale == null ? " clean" : " stale: " + stale);
  }

  private static void line(StringBuilder out, String text) {
    out.append(text).append('\n');
  }
}
