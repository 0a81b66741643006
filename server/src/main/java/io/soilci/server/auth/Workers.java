package io.soilci.server.auth;

import java.io.IOException;
import java.util.Optional;

/**
 * Where the {@link Authenticator} finds a worker's scopes and secret hash: one box's {@code
 * STATE/workers.json} ({@link WorkerStore}), or the distributed mode's bucket shared by every
 * replica over it ({@link SharedWorkers}).
 */
public abstract class Workers {
  Workers() {}

  /** The worker named {@code name}, as stored now. */
  abstract Optional<WorkerStore.Entry> find(String name) throws IOException;

  /**
   * Changes whenever any worker is added, replaced or removed: verified tokens are checked again.
   */
  abstract String version() throws IOException;

  /** The KDF cost of the stand-in secret checked for an unknown name. */
  abstract int iterations();
}
