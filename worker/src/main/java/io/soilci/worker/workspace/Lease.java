package io.soilci.worker.workspace;

import java.nio.file.Path;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A workspace instance held by one job: the folder to run in, the image to start the job's
 * container from (the committed setup; null for the local provider), where the folder is mounted in
 * it and the environment the tasks get. Closing the lease resets the instance to the prepared state
 * and frees it for the next job.
 */
public final class Lease implements AutoCloseable {
  private final Workspaces owner;
  private final CacheEntry entry;
  private final InstancePool.Taken taken;
  private final WorkspaceConfig config;
  private final Preparation preparation;
  private boolean closed;

  Lease(
      Workspaces owner,
      CacheEntry entry,
      InstancePool.Taken taken,
      WorkspaceConfig config,
      Preparation preparation) {
    this.owner = owner;
    this.entry = entry;
    this.taken = taken;
    this.config = config;
    this.preparation = preparation;
  }

  /** The instance's folder on the host: the repositories at their paths and the setup's files. */
  public Path dir() {
    return taken.dir();
  }

  /** Which of the entry's instances this is. */
  public int slot() {
    return taken.slot();
  }

  /** The image holding the setup's result, to run the job's container from; null for local. */
  public @Nullable String image() {
    return preparation.image();
  }

  /** Where {@link #dir()} must be mounted in the job's container (the setup saw it there). */
  public String mountPoint() {
    return ContainerSetup.MOUNT_POINT;
  }

  /** The workspace's {@code env}, for every task of the job. */
  public Map<String, String> env() {
    return config.env();
  }

  public Preparation preparation() {
    return preparation;
  }

  CacheEntry entry() {
    return entry;
  }

  InstancePool.Taken taken() {
    return taken;
  }

  /** Resets the instance to the prepared state and frees it; a second call does nothing. */
  @Override
  public synchronized void close() {
    if (!closed) {
      closed = true;
      owner.release(this);
    }
  }
}
