package io.soilci.server.upload;

import io.soilci.result.JobRef;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One lock per job (striped, so memory stays bounded): two uploads of the same job commit one after
 * the other, never interleaving their files.
 */
final class JobLocks {
  private final ReentrantLock[] stripes = new ReentrantLock[256];

  JobLocks() {
    for (int i = 0; i < stripes.length; i++) {
      stripes[i] = new ReentrantLock();
    }
  }

  ReentrantLock of(JobRef job) {
    return stripes[Math.floorMod(job.toString().hashCode(), stripes.length)];
  }
}
