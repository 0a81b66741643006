package io.soilci.server.site;

import io.soilci.result.JobFile;
import io.soilci.result.JobName;
import io.soilci.result.JobRef;
import io.soilci.result.RunId;
import io.soilci.result.SiteLayout;
import io.soilci.result.WorkerHost;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * The run JSON an older version wrote into each run folder ({@code RUN/index.json}): Soil's indexer
 * takes every {@code RUN/*.json} for a job's metadata and stops at it. Removed when the site opens;
 * a job named {@code index} (its {@code .wwz} or {@code .tsv} beside it) keeps its file.
 */
final class OldRunJson {
  private OldRunJson() {}

  /** Deletes the host's old run JSON files; returns their paths under the root. */
  /** Removes the old run JSON of every host, logging each one removed. */
  static void removeAll(SiteLayout layout) throws IOException {
    for (WorkerHost host : WorkerHost.values()) {
      for (String gone : remove(layout, host)) {
        LoggerFactory.getLogger(OldRunJson.class)
            .info(
                "{}: removed the run JSON an older version wrote there (Soil's indexer takes every"
                    + " RUN/*.json for a job); the run's JSON is at json/index.json",
                gone);
      }
    }
  }

  static List<String> remove(SiteLayout layout, WorkerHost host) throws IOException {
    Path hostDir = layout.path(SiteLayout.hostDir(host));
    List<String> removed = new ArrayList<>();
    if (!Files.isDirectory(hostDir, LinkOption.NOFOLLOW_LINKS)) {
      return removed;
    }
    try (DirectoryStream<Path> runs = Files.newDirectoryStream(hostDir)) {
      for (Path dir : runs) {
        String name = dir.getFileName().toString();
        if (SiteLayout.isRunName(name) && Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
          RunId run = new RunId(name);
          if (isOld(layout, host, run)) {
            Files.delete(layout.path(SiteLayout.movedRunJson(host, run)));
            removed.add(SiteLayout.movedRunJson(host, run));
          }
        }
      }
    }
    return removed;
  }

  private static boolean isOld(SiteLayout layout, WorkerHost host, RunId run) {
    JobRef asJob = new JobRef(host, run, new JobName(SiteLayout.RESERVED_JOB));
    return Files.isRegularFile(
            layout.path(SiteLayout.movedRunJson(host, run)), LinkOption.NOFOLLOW_LINKS)
        && !Files.exists(layout.path(SiteLayout.jobFile(asJob, JobFile.WWZ)))
        && !Files.exists(layout.path(SiteLayout.jobFile(asJob, JobFile.TSV)));
  }
}
