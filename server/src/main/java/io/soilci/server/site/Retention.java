package io.soilci.server.site;

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

/**
 * Keeps the newest {@code keepRuns} runs per host: older finished runs leave the index first (so
 * the pages rendered next no longer link to them), then their files and status files are deleted. A
 * run still in progress is never deleted.
 */
final class Retention {
  private final SiteLayout layout;
  private final int keepRuns;

  Retention(SiteLayout layout, int keepRuns) {
    this.layout = layout;
    this.keepRuns = keepRuns;
  }

  /**
   * Takes the runs older than the newest {@code keepRuns} out of the index, except those in
   * progress; returns them, oldest first.
   */
  List<RunState> select(SiteIndex index, WorkerHost host) {
    int excess = index.runCount(host) - keepRuns;
    List<RunState> removed = new ArrayList<>();
    if (excess <= 0) {
      return removed;
    }
    for (RunState run : index.all(host).subList(0, excess)) {
      if (!run.inProgress() && index.remove(host, run.id()) != null) {
        removed.add(run);
      }
    }
    return removed;
  }

  /** The pages that showed {@code run}: they must be rendered again (or deleted). */
  static List<Page> pagesOf(WorkerHost host, RunState run) {
    List<Page> pages = new ArrayList<>();
    // The run's own pages too: deleting them under their page locks means no writer still
    // rendering the run can put a page back into the folder after it is gone.
    pages.add(new Page.RunHtml(host, run.id()));
    pages.add(new Page.RunJson(host, run.id()));
    for (JobEntry job : run.jobs().values()) {
      pages.add(new Page.RunningFile(new io.soilci.result.JobRef(host, run.id(), job.name())));
    }
    run.commits().forEach(c -> pages.add(new Page.CommitHtml(host, c)));
    run.statusRunIds().forEach(id -> pages.add(new Page.StatusJson(host, id)));
    pages.add(new Page.DayHtml(host, run.day()));
    return pages;
  }

  /** Deletes the run's folder and its status API folders. */
  void deleteFiles(WorkerHost host, RunState run) throws IOException {
    deleteTree(layout.path(SiteLayout.runDir(host, run.id())));
    for (String id : run.statusRunIds()) {
      deleteTree(layout.path(SiteLayout.statusDir(host, id)));
    }
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
