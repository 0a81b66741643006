package io.soilci.server.cluster;

import io.soilci.result.JobFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * The changes this replica published and whose requests wait until its own feed applied them at
 * their place in the stream, by message id ({@link Change#id}): an upload's staged, already checked
 * files, which the feed commits instead of fetching them back from the object store, and what the
 * feed found (a change that breaks a rule is refused on every replica alike, and its request
 * answers that refusal).
 */
final class OwnChanges {
  private final Map<String, Pending> pending = new ConcurrentHashMap<>();

  /**
   * Registers {@code change} before it is published, with {@code staged} (an upload's temp files,
   * now owned by the registration; empty for an event). When the same change is registered already
   * (the same upload sent twice at once), that registration is shared and {@code staged} is
   * deleted.
   */
  Pending expect(Change change, Map<JobFile, Path> staged) throws IOException {
    Pending mine = new Pending(staged);
    Pending registered = pending.putIfAbsent(change.id(), mine);
    if (registered == null) {
      return mine;
    }
    mine.withdraw();
    return registered;
  }

  /**
   * The request is answered: the registration goes, and its files if the feed did not take them.
   */
  void forget(Change change, Pending registered) throws IOException {
    if (pending.remove(change.id(), registered)) {
      registered.withdraw();
    }
  }

  /**
   * The feed: the staged files of {@code change}, now the feed's to commit or delete; empty when
   * this replica did not stage it, or its request gave up waiting.
   */
  Map<JobFile, Path> claimStaged(Change change) {
    Pending registered = pending.get(change.id());
    return registered == null ? new EnumMap<>(JobFile.class) : registered.claim();
  }

  /** The feed applied {@code change}, or refused it ({@code refused} not null). */
  void applied(Change change, @Nullable RuntimeException refused) {
    Pending registered = pending.get(change.id());
    if (registered != null) {
      registered.applied(refused);
    }
  }

  /** One published change of this replica whose request waits. */
  static final class Pending {
    private @Nullable Map<JobFile, Path> staged;
    private @Nullable RuntimeException refused;
    private boolean applied;

    private Pending(Map<JobFile, Path> staged) {
      this.staged = new EnumMap<>(JobFile.class);
      this.staged.putAll(staged);
    }

    private synchronized Map<JobFile, Path> claim() {
      Map<JobFile, Path> files = staged == null ? new EnumMap<>(JobFile.class) : staged;
      staged = null;
      return files;
    }

    private void withdraw() throws IOException {
      for (Path file : claim().values()) {
        Files.deleteIfExists(file);
      }
    }

    private synchronized void applied(@Nullable RuntimeException refusal) {
      applied = true;
      refused = refusal;
    }

    /**
     * Whether the feed applied this change since it was registered: not when the stream took it as
     * a duplicate of a message applied before.
     */
    synchronized boolean applied() {
      return applied;
    }

    /** The staged files the feed did not take, now the caller's. */
    Map<JobFile, Path> takeBack() {
      return claim();
    }

    /** Why the feed refused the change, once it applied it. */
    synchronized Optional<RuntimeException> refusal() {
      return Optional.ofNullable(refused);
    }
  }
}
