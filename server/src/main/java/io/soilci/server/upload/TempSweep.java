package io.soilci.server.upload;

import io.soilci.files.AtomicFiles;
import io.soilci.threads.Daemons;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes the site's temp files older than an hour: left by a crash or by a cut-off SFTP copy (a
 * younger one may belong to a copy still going on). The server sweeps when it starts and then once
 * a day (an SFTP copy can be cut off at any time), on a daemon thread that takes at most a quarter
 * of one core: the walk costs a stat per file of the site (1.7-2.5 s of CPU at 100,000 jobs on the
 * shared 2-core machine, docs/BENCHMARKS.md) and must not compete with a start's first requests.
 * Nothing waits for it: temp files are never served or read as job files.
 */
public final class TempSweep implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(TempSweep.class);

  /** Temp files younger than this may belong to a copy going on. */
  static final Duration AGE = Duration.ofHours(1);

  /** Entries walked between two pauses. */
  static final int STEP = 512;

  /** The sweep's share of one core is at most 1/SHARE: each pause is (SHARE - 1) times the work. */
  private static final int SHARE = 4;

  /** What the sweep does after each {@link #STEP} entries, given how long they took. */
  interface Pause {
    /** Never pauses: a sweep at full speed. */
    Pause NONE = nanos -> {};

    void after(long workNanos) throws InterruptedException;
  }

  private final ScheduledExecutorService thread;

  private TempSweep(ScheduledExecutorService thread) {
    this.thread = thread;
  }

  /** Sweeps {@code site} now and then once a day, until {@link #close}. */
  public static TempSweep start(Path site) {
    ScheduledExecutorService thread =
        Executors.newSingleThreadScheduledExecutor(Daemons.named("soil-temp-sweep"));
    Pause aQuarterOfACore = nanos -> TimeUnit.NANOSECONDS.sleep(nanos * (SHARE - 1));
    // The task catches what it throws: the future holds nothing to look at.
    var unused =
        thread.scheduleWithFixedDelay(
            () -> {
              long started = System.nanoTime();
              try {
                int swept = sweep(site, AGE, aQuarterOfACore);
                LOG.info(
                    "deleted {} stale temp files ({} ms)",
                    swept,
                    (System.nanoTime() - started) / 1_000_000);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              } catch (IOException | RuntimeException e) {
                LOG.warn("sweeping stale temp files failed: {}", e.toString());
              }
            },
            0,
            1,
            TimeUnit.DAYS);
    return new TempSweep(thread);
  }

  /**
   * Deletes the temp files older than {@code age} in the host, run and status folders of {@code
   * site}, pausing after each {@link #STEP} entries walked; returns how many it deleted. A file
   * gone meanwhile is no failure.
   */
  static int sweep(Path site, Duration age, Pause pause) throws IOException, InterruptedException {
    Instant cutoff = Instant.now().minus(age);
    if (!Files.isDirectory(site)) {
      return 0;
    }
    int deleted = 0;
    int walked = 0;
    long stepStarted = System.nanoTime();
    try (Stream<Path> files = Files.walk(site, 4)) {
      for (Path file : (Iterable<Path>) files::iterator) {
        if (AtomicFiles.isTemp(file) && isStale(file, cutoff)) {
          Files.deleteIfExists(file);
          deleted++;
        }
        if (++walked % STEP == 0) {
          pause.after(System.nanoTime() - stepStarted);
          stepStarted = System.nanoTime();
        }
      }
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
    return deleted;
  }

  private static boolean isStale(Path file, Instant cutoff) throws IOException {
    try {
      return Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)
          && Files.getLastModifiedTime(file, LinkOption.NOFOLLOW_LINKS)
              .toInstant()
              .isBefore(cutoff);
    } catch (NoSuchFileException e) {
      return false;
    }
  }

  /** Stops the sweeping: one going on ends at its next pause. */
  @Override
  public void close() {
    thread.shutdownNow();
  }
}
