package io.soilci.server.state;

import java.nio.file.Path;

/**
 * Where every file and folder of the server's state folder ({@code --state}, the config's {@code
 * state}) lives: the only place that names an entry under it. The names are part of the on-disk
 * format: a state folder an older server wrote must keep working, so a rename needs a migration
 * (StateLayoutTest pins them). Nothing here is served; docs/ARCHITECTURE.md, "The state folder",
 * lists the same entries.
 */
public final class StateLayout {
  /** The index snapshot's name, for messages that tell to delete it. */
  public static final String INDEX_SNAPSHOT = "index.snapshot";

  private static final String CLUSTER = "cluster";
  private static final String HOOKS = "hooks";

  private final Path root;

  public StateLayout(Path root) {
    this.root = root;
  }

  /** The state folder itself. */
  public Path root() {
    return root;
  }

  /**
   * {@code workers.json}: the worker tokens, hashed, with their scopes ({@code WorkerStore};
   * written by {@code add-worker} and {@code remove-worker}, read by {@code serve}).
   */
  public Path workers() {
    return root.resolve("workers.json");
  }

  /**
   * {@code server.json}: a running server's address and {@code POST /ingest} key, owner-only,
   * removed on stop ({@code LocalServer}; read by {@code ingest}).
   */
  public Path localServer() {
    return root.resolve("server.json");
  }

  /**
   * {@code index.snapshot}: the site's index as it was at the last stop, so a start reads only the
   * run folders that changed ({@code SavedIndex}, {@code IndexSnapshot}; deleted by {@code regen}).
   */
  public Path indexSnapshot() {
    return root.resolve(INDEX_SNAPSHOT);
  }

  /**
   * {@code pages.journal}: the pages a change is about to write, so a start after a crash rewrites
   * the ones it cut off ({@code PageJournal}).
   */
  public Path pageJournal() {
    return root.resolve("pages.journal");
  }

  /**
   * {@code commits/}: one manifest {@code HOST+RUN+JOB.commit} per upload being committed, rolled
   * forward at the next start when a crash cut the commit off ({@code CommitJournal}).
   */
  public Path commits() {
    return root.resolve("commits");
  }

  /**
   * {@code hooks/OWNER/}: the hook events of {@code OWNER} ({@code site}, {@code coordinator}) not
   * run yet, one {@code SEQUENCE.json} each ({@code HookSpool}).
   */
  public Path hookSpool(String owner) {
    return root.resolve(HOOKS).resolve(owner);
  }

  /**
   * {@code hooks-due/}: one file {@code HOST+RUN+JOB} per job whose change may finish it while its
   * hooks are not spooled yet; a start fires the hooks of those a crash left ({@code DueHooks}).
   */
  public Path hooksDue() {
    return root.resolve("hooks-due");
  }

  /**
   * {@code coordinator/queue.log}: the coordinator's queue on one box, one CRC'd record a line
   * ({@code Coordinator}, {@code QueueLog}).
   */
  public Path coordinatorQueue() {
    return root.resolve("coordinator").resolve("queue.log");
  }

  /**
   * {@code log-index/}: each viewed log's line index and plain copy, a cache of at most a budget of
   * bytes ({@code LogIndexStore}; deleting it only costs the next views a re-read).
   */
  public Path logIndex() {
    return root.resolve("log-index");
  }

  /**
   * {@code wwz-inflated/}: compressed zip entries inflated to serve them by sendfile, each deleted
   * as soon as it is open ({@code WwzHandler}).
   */
  public Path wwzInflated() {
    return root.resolve("wwz-inflated");
  }

  /**
   * {@code cluster/outbox/}: the distributed mode's changes not yet taken by the change stream, one
   * file each, published again until they are ({@code Outbox}).
   */
  public Path clusterOutbox() {
    return root.resolve(CLUSTER).resolve("outbox");
  }

  /**
   * {@code cluster/applied-sequence}: the last change of the stream this replica applied ({@code
   * ReplicaFeed}).
   */
  public Path appliedSequence() {
    return root.resolve(CLUSTER).resolve("applied-sequence");
  }

  /**
   * {@code cluster/pages-sequence}: the last page announcement this replica applied ({@code
   * PageFollower}).
   */
  public Path pagesSequence() {
    return root.resolve(CLUSTER).resolve("pages-sequence");
  }

  /**
   * {@code cluster/pages-announced}: how far each role's pages were announced, this replica's own
   * included, saved behind, never ahead ({@code PageFollower}).
   */
  public Path pagesAnnounced() {
    return root.resolve(CLUSTER).resolve("pages-announced");
  }

  @Override
  public String toString() {
    return root.toString();
  }
}
