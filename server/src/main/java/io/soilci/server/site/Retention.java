package io.soilci.server.site;

import io.soilci.result.RunId;
import io.soilci.result.SiteLayout;
import io.soilci.result.WorkerHost;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Keeps the {@code keepRuns} runs per host that arrived last (not the highest-named: a run number
 * is whatever a worker sends). Older finished runs leave the index first (so the pages rendered
 * next no longer link to them), then their files and the status files they wrote are deleted. A run
 * in progress, the run that was just written, and a run that an upload or event is writing into are
 * never deleted (the last waits for the next round).
 */
final class Retention {
  /** A run taken out of the index, held against writers until its files are gone. */
  record Retired(RunState run, RunLocks.Hold hold) {}

  private final SiteLayout layout;
  private final int keepRuns;
  private final RunLocks locks;

  Retention(SiteLayout layout, int keepRuns, RunLocks locks) {
    this.layout = layout;
    this.keepRuns = keepRuns;
    this.locks = locks;
  }

  /**
   * Takes the runs that arrived before the last {@code keepRuns} out of the index, except {@code
   * keep}, those in progress and those in use; returns them, oldest first, each held until the
   * caller closes it.
   */
  List<Retired> select(SiteIndex index, WorkerHost host, RunId keep) {
    int excess = index.runCount(host) - keepRuns;
    List<Retired> removed = new ArrayList<>();
    if (excess <= 0) {
      return removed;
    }
    for (RunState run : index.firstArrived(host, excess)) {
      if (run.id().equals(keep) || run.inProgress()) {
        continue;
      }
      RunLocks.Hold hold = locks.tryRetire(host, run.id());
      if (hold == null) {
        continue;
      }
      // Checked again now that no writer is inside: a start event may have come meanwhile.
      RunState gone = index.removeFinished(host, run.id());
      if (gone == null) {
        hold.close();
      } else {
        removed.add(new Retired(gone, hold));
      }
    }
    return removed;
  }

  /**
   * Deletes the status files the run owns under the status ids that {@code unclaimed} accepts (no
   * run left claims them), each told to {@code deleted} (its path from the site root), then the
   * run's folder.
   */
  void deleteFiles(
      WorkerHost host, RunState run, Predicate<String> unclaimed, Consumer<String> deleted)
      throws IOException {
    Path runDir = layout.path(SiteLayout.runDir(host, run.id()));
    RunRecords.deleteOwnedStatus(layout, host, runDir, unclaimed, deleted);
    deleteTree(runDir);
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return;
    }
    Files.walkFileTree(
        dir,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
              throws IOException {
            Files.delete(file);
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
            if (e != null) {
              throw e;
            }
            Files.delete(d);
            return FileVisitResult.CONTINUE;
          }
        });
  }
}
