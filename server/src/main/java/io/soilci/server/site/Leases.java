package io.soilci.server.site;

import io.soilci.result.JobRef;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * When the server last heard from each running job's worker: its events and live log chunks renew
 * the job's lease. Kept in memory and, for a restart, as the modification time of the job's running
 * file ({@code RUN/.running/JOB.json}): every event rewrites it, and a log chunk touches it at most
 * once per {@link #touchEvery()}. After a restart a job's last word is that time.
 */
final class Leases {
  private final Duration lease;
  private final Map<JobRef, Long> heardMillis = new ConcurrentHashMap<>();
  private final Map<JobRef, Long> touchedMillis = new ConcurrentHashMap<>();

  Leases(Duration lease) {
    this.lease = lease;
  }

  Duration lease() {
    return lease;
  }

  /** How often a silent job is looked for: a tenth of the lease, from 1 s to 30 s. */
  Duration checkEvery() {
    long millis = Math.max(1000, Math.min(lease.toMillis() / 10, 30_000));
    return Duration.ofMillis(millis);
  }

  /** How often a log chunk touches the running file: a quarter of the lease, at most a minute. */
  private long touchEvery() {
    return Math.min(lease.toMillis() / 4, 60_000);
  }

  /** The job's worker spoke at {@code nowMillis}; {@code runningFile} records it for a restart. */
  void heard(JobRef job, long nowMillis, Path runningFile) throws IOException {
    heardMillis.put(job, nowMillis);
    Long touched = touchedMillis.get(job);
    if (touched == null || nowMillis - touched >= touchEvery()) {
      touchedMillis.put(job, nowMillis);
      if (Files.exists(runningFile)) {
        Files.setLastModifiedTime(runningFile, FileTime.fromMillis(nowMillis));
      }
    }
  }

  /** An event rewrote the running file: its time is the job's last word. */
  void rewritten(JobRef job, long nowMillis) {
    heardMillis.put(job, nowMillis);
    touchedMillis.put(job, nowMillis);
  }

  /**
   * When the job's worker last spoke (epoch millis): what this server heard, else the running
   * file's modification time (written by the last event before a restart), else {@code
   * startedEpoch}.
   */
  long lastHeard(JobRef job, Path runningFile, long startedEpoch) {
    return heardMillis.computeIfAbsent(
        job,
        j -> {
          try {
            return Files.getLastModifiedTime(runningFile).toMillis();
          } catch (IOException e) {
            return startedEpoch * 1000;
          }
        });
  }

  /** The job no longer runs: nothing to remember. */
  void forget(JobRef job) {
    heardMillis.remove(job);
    touchedMillis.remove(job);
  }
}
