package io.soilci.server.state;

import io.soilci.result.JobName;
import io.soilci.result.JobRef;
import io.soilci.result.RunId;
import io.soilci.result.WorkerHost;
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

  /** How a commit manifest's name ends ({@link #commitManifest}). */
  public static final String COMMIT_SUFFIX = ".commit";

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

  /** The commit manifest of an upload of {@code job}: {@code commits/HOST+RUN+JOB.commit}. */
  public Path commitManifest(JobRef job) {
    return commits().resolve(fileName(job) + COMMIT_SUFFIX);
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

  /** The mark of {@code job}'s due hooks: {@code hooks-due/HOST+RUN+JOB}. */
  public Path hookDue(JobRef job) {
    return hooksDue().resolve(fileName(job));
  }

  private static String fileName(JobRef job) {
    return job.host().id() + "+" + job.run() + "+" + job.job();
  }

  /**
   * How a file of the state folder names a job in a line (a commit manifest's first, a due hook's
   * mark): {@code HOST<TAB>RUN<TAB>JOB}, without the line's end.
   */
  public static String jobLine(JobRef job) {
    return job.host().id() + "\t" + job.run() + "\t" + job.job();
  }

  /**
   * The job {@code line} names ({@link #jobLine}); {@link IllegalArgumentException} (or {@code
   * BadInput}, one) when it names none.
   */
  public static JobRef jobOfLine(String line) {
    String[] fields = line.split("\t", -1);
    if (fields.length != 3) {
      throw new IllegalArgumentException("not HOST<TAB>RUN<TAB>JOB: " + line);
    }
    return new JobRef(WorkerHost.parse(fields[0]), new RunId(fields[1]), new JobName(fields[2]));
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
