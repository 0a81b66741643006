package io.soilci.server.hooks;

import io.soilci.files.AtomicFiles;
import io.soilci.result.JobRef;
import io.soilci.server.state.StateLayout;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The jobs whose hooks may be due but not spooled yet, {@code STATE/hooks-due/HOST+RUN+JOB}, each
 * holding the job's name. One is made durable before a change that finishes a job becomes true (a
 * done event's running file; for an upload, its commit manifest stands for it until the site is
 * told, and a start that completes the commit marks the job here) and deleted once the change's
 * hooks are spooled. A crash in between leaves it: the next start fires the hooks of each job done
 * by then ({@code Site}), so an upload or event whose truth is stored fires its hooks at least once
 * although its answer was cut off (and its client's retry finds the job done already).
 */
public final class DueHooks {
  private static final Logger LOG = LoggerFactory.getLogger(DueHooks.class);

  private final StateLayout state;
  private final Path dir;

  private DueHooks(StateLayout state) {
    this.state = state;
    this.dir = state.hooksDue();
  }

  /** The marks in {@code STATE/hooks-due}; nothing is read or made yet. */
  public static DueHooks in(StateLayout state) {
    return new DueHooks(state);
  }

  /**
   * Marks {@code job} durably (the file, then its folder); returns whether it is. A mark that
   * cannot be written (a full disk, a file where the folder should be) is logged and fails nothing:
   * the job's hooks then run as without marks, lost only by a crash in that window.
   */
  public boolean mark(JobRef job) {
    try {
      Files.createDirectories(dir);
      String text = StateLayout.jobLine(job) + "\n";
      AtomicFiles.write(state.hookDue(job), text.getBytes(StandardCharsets.UTF_8));
      return true;
    } catch (IOException e) {
      LOG.warn(
          "{}: could not mark its hooks due in {} ({}): a crash before they are spooled loses them",
          job,
          dir,
          e.toString());
      return false;
    }
  }

  /**
   * The job's hooks are spooled. The delete need not be durable: a mark that comes back fires the
   * job's hooks once more (hooks run at least once).
   */
  public void clear(JobRef job) {
    try {
      Files.deleteIfExists(state.hookDue(job));
    } catch (IOException e) {
      LOG.warn("{}: could not delete {}: {}", job, state.hookDue(job), e.toString());
    }
  }

  /**
   * The jobs marked by a server that did not clear them. A mark cut off while being written (a temp
   * file: its change was not made true yet) or that names no job is deleted.
   */
  public List<JobRef> left() throws IOException {
    List<JobRef> jobs = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return jobs;
    }
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
      for (Path file : files) {
        if (AtomicFiles.isTemp(file)) {
          Files.deleteIfExists(file);
          continue;
        }
        try {
          JobRef ref =
              StateLayout.jobOfLine(Files.readString(file, StandardCharsets.UTF_8).strip());
          if (file.equals(state.hookDue(ref))) {
            jobs.add(ref);
            continue;
          }
        } catch (IOException | RuntimeException e) {
          // Not a mark (cut short, or put here by hand): below.
        }
        LOG.warn("hooks due: {} does not name a job; deleted", file.getFileName());
        Files.deleteIfExists(file);
      }
    }
    return jobs;
  }
}
