package io.soilci.server.site;

import io.soilci.files.AtomicFiles;
import io.soilci.result.JobName;
import io.soilci.result.JobRef;
import io.soilci.result.RunId;
import io.soilci.result.SafeName;
import io.soilci.result.SiteLayout;
import io.soilci.result.WorkerHost;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * What retention needs to know of a run and the site's files cannot tell, kept in the run's hidden
 * folder {@code RUN/.retention/} (never served, deleted with the run, invisible to Soil's {@code ls
 * *}{@code /*.json}): {@code arrived}, when the server first saw the run (epoch millis), and {@code
 * status-api/RUN_ID/JOB}, one empty marker per status file this run owns: written by its done
 * events, or uploaded by Soil's uploader under a status id the run's jobs claim.
 */
final class RunRecords {
  static final String DIR = ".retention";
  private static final String ARRIVED = "arrived";
  private static final String STATUS = SiteLayout.STATUS_API;

  private RunRecords() {}

  /** Records that {@code run} arrived at {@code millis}. */
  static void arrived(SiteLayout layout, WorkerHost host, RunId run, long millis)
      throws IOException {
    AtomicFiles.write(
        arrivedFile(layout, host, run), (millis + "\n").getBytes(StandardCharsets.UTF_8));
  }

  /** The file that records when {@code run} arrived. */
  static Path arrivedFile(SiteLayout layout, WorkerHost host, RunId run) {
    return layout.path(SiteLayout.runDir(host, run)).resolve(DIR).resolve(ARRIVED);
  }

  /**
   * When the run in {@code runDir} arrived; for a run stored before this record existed (or by
   * SFTP), the oldest modification time of its files.
   */
  static long arrivedOf(Path runDir) {
    try {
      String text = Files.readString(runDir.resolve(DIR).resolve(ARRIVED), StandardCharsets.UTF_8);
      return Long.parseLong(text.strip());
    } catch (IOException | NumberFormatException e) {
      return oldestFile(runDir);
    }
  }

  private static long oldestFile(Path runDir) {
    long oldest = Long.MAX_VALUE;
    try (DirectoryStream<Path> files = Files.newDirectoryStream(runDir)) {
      for (Path file : files) {
        if (Files.isRegularFile(file) && !AtomicFiles.isTemp(file)) {
          oldest = Math.min(oldest, Files.getLastModifiedTime(file).toMillis());
        }
      }
    } catch (IOException e) {
      return 0;
    }
    return oldest == Long.MAX_VALUE ? 0 : oldest;
  }

  /**
   * Records, before it is written, that {@code job}'s run writes its status file under {@code id}.
   */
  static void ownsStatus(SiteLayout layout, JobRef job, String id) throws IOException {
    if (!SafeName.isSafe(id)) {
      return; // never a path; such an id is refused before it gets here
    }
    Path dir =
        layout
            .path(SiteLayout.runDir(job.host(), job.run()))
            .resolve(DIR)
            .resolve(STATUS)
            .resolve(id);
    Files.createDirectories(dir);
    try {
      Files.createFile(dir.resolve(job.job().value()));
      AtomicFiles.syncDirectory(dir);
    } catch (FileAlreadyExistsException e) {
      // Recorded by an earlier done event of the job.
    }
  }

  /**
   * Deletes the status files the run in {@code runDir} owns (and their folders once empty) under
   * the ids {@code unclaimed} accepts, each deleted file told to {@code deleted} (its path from the
   * site root); a status file no record names stays.
   */
  static void deleteOwnedStatus(
      SiteLayout layout,
      WorkerHost host,
      Path runDir,
      Predicate<String> unclaimed,
      Consumer<String> deleted)
      throws IOException {
    Path owned = runDir.resolve(DIR).resolve(STATUS);
    if (!Files.isDirectory(owned)) {
      return;
    }
    try (DirectoryStream<Path> ids = Files.newDirectoryStream(owned, Files::isDirectory)) {
      for (Path id : ids) {
        if (!unclaimed.test(id.getFileName().toString())) {
          continue; // a run still kept claims these status files too; they go with it
        }
        String statusId = id.getFileName().toString();
        Path statusDir = layout.path(SiteLayout.statusDir(host, statusId));
        try (DirectoryStream<Path> jobs = Files.newDirectoryStream(id)) {
          for (Path job : jobs) {
            JobName name = new JobName(job.getFileName().toString());
            String path = SiteLayout.statusFile(host, statusId, name);
            if (Files.deleteIfExists(layout.path(path))) {
              deleted.accept(path);
            }
          }
        }
        deleteIfEmpty(statusDir);
      }
    }
  }

  private static void deleteIfEmpty(Path dir) throws IOException {
    try {
      Files.deleteIfExists(dir);
    } catch (DirectoryNotEmptyException e) {
      // Status files of other runs, or the summary of runs still kept.
    }
  }
}
