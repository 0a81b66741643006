package io.soilci.server.site;

import io.soilci.result.JobRef;
import io.soilci.result.RunId;
import io.soilci.result.WorkerHost;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.jspecify.annotations.Nullable;

/**
 * The locks that keep stored files consistent, striped so memory stays bounded. A job's lock
 * serializes the commits of its three files and the reads that pair them; a run's lock is held
 * shared by every upload and event writing into the run, and exclusively by retention deleting it.
 * Retention only ever tries its side, so an upload or event never waits behind a slow one.
 */
public final class RunLocks {
  private static final int STRIPES = 1024;

  private final ReentrantReadWriteLock[] runs = new ReentrantReadWriteLock[STRIPES];
  private final ReentrantLock[] jobs = new ReentrantLock[STRIPES];

  /** A held run: released by {@link #close}, on the thread that took it. */
  public interface Hold extends AutoCloseable {
    @Override
    void close();
  }

  public RunLocks() {
    for (int i = 0; i < STRIPES; i++) {
      runs[i] = new ReentrantReadWriteLock();
      jobs[i] = new ReentrantLock();
    }
  }

  /** Keeps {@code run} from being deleted by retention until the hold is closed. */
  public Hold use(WorkerHost host, RunId run) {
    ReentrantReadWriteLock.ReadLock read = of(host, run).readLock();
    read.lock();
    return read::unlock;
  }

  /** The run for retention, if nothing writes into it now; null when it is in use. */
  @Nullable Hold tryRetire(WorkerHost host, RunId run) {
    ReentrantReadWriteLock.WriteLock write = of(host, run).writeLock();
    return write.tryLock() ? write::unlock : null;
  }

  /** The lock of a job's three files. */
  public ReentrantLock job(JobRef ref) {
    return jobs[stripe(ref.toString())];
  }

  private ReentrantReadWriteLock of(WorkerHost host, RunId run) {
    return runs[stripe(host.id() + "/" + run.value())];
  }

  private static int stripe(String key) {
    return Math.floorMod(key.hashCode(), STRIPES);
  }
}
