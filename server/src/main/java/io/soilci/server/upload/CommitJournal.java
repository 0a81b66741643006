package io.soilci.server.upload;

import io.soilci.files.AtomicFiles;
import io.soilci.result.BadInput;
import io.soilci.result.JobFile;
import io.soilci.result.JobRef;
import io.soilci.server.hooks.DueHooks;
import io.soilci.server.state.StateLayout;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The commit journal, {@code STATE/commits/HOST+RUN+JOB.commit}: before a job's staged files are
 * renamed over its stored ones, a small manifest naming them is made durable; it is deleted once
 * all are in place. At start a manifest still there is rolled forward (its staged files, fsync'd
 * before it was written, still exist), so a job's three files always come from one upload: the last
 * one journaled. Commits of one job are serialized by the caller (the job's lock).
 *
 * <p>The manifest is deleted only once the site was told of the commit (and spooled its hooks), so
 * a manifest left also means "this job's hooks may not have fired": the start that completes it
 * marks the job in {@link DueHooks}.
 */
final class CommitJournal {
  private static final Logger LOG = LoggerFactory.getLogger(CommitJournal.class);
  private final Path root;
  private final StateLayout state;
  private final Path dir;
  private final DueHooks due;

  CommitJournal(Path root, StateLayout state) {
    this.root = root;
    this.state = state;
    this.dir = state.commits();
    this.due = DueHooks.in(state);
  }

  /**
   * Makes durable that {@code staged} (each file fsync'd, in the job's run folder) replaces the
   * job's files; from here on the commit completes, now or at the next start.
   */
  void begin(JobRef ref, Map<JobFile, Path> staged) throws IOException {
    StringBuilder text = new StringBuilder(StateLayout.jobLine(ref) + "\n");
    staged.forEach(
        (kind, temp) ->
            text.append(kind.name()).append('\t').append(temp.getFileName()).append('\n'));
    AtomicFiles.write(manifest(ref), text.toString().getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Renames each staged file that is still there over its target (wwz, tsv, JSON last) and makes
   * the renames durable. Renaming what was already renamed is a no-op, so it can be repeated.
   */
  void rollForward(JobRef ref, Map<JobFile, Path> staged) throws IOException {
    Path runDir = root.resolve(ref.runDir());
    for (JobFile kind : JobFile.values()) {
      Path temp = staged.get(kind);
      if (temp != null && Files.exists(temp)) {
        Files.move(
            temp,
            root.resolve(ref.file(kind)),
            StandardCopyOption.ATOMIC_MOVE,
            StandardCopyOption.REPLACE_EXISTING);
      }
    }
    AtomicFiles.syncDirectory(runDir);
  }

  /**
   * The commit is complete and the site was told. The delete need not be durable, nor even succeed
   * (it is logged): a manifest that comes back or stays names staged files that no longer exist,
   * and rolling it forward only fires the job's hooks once more.
   */
  void end(JobRef ref) {
    try {
      Files.deleteIfExists(manifest(ref));
    } catch (IOException e) {
      LOG.warn("{}: could not delete its commit manifest: {}", ref, e.toString());
    }
  }

  /**
   * Rolls forward every manifest a crash left; returns how many there were. With {@code hooksHere}
   * (a single box: this server fires the hooks of the uploads it took) each one's job is marked in
   * {@link DueHooks}.
   */
  int recover(boolean hooksHere) throws IOException {
    if (!Files.isDirectory(dir)) {
      return 0;
    }
    int recovered = 0;
    try (DirectoryStream<Path> manifests =
        Files.newDirectoryStream(dir, "*" + StateLayout.COMMIT_SUFFIX)) {
      for (Path manifest : manifests) {
        if (AtomicFiles.isTemp(manifest)) {
          // A manifest cut off while being written: nothing was renamed yet.
          Files.delete(manifest);
          continue;
        }
        recover(manifest, hooksHere);
        recovered++;
      }
    }
    return recovered;
  }

  private void recover(Path manifest, boolean hooksHere) throws IOException {
    List<String> lines = Files.readAllLines(manifest, StandardCharsets.UTF_8);
    try {
      JobRef ref = StateLayout.jobOfLine(lines.get(0));
      Map<JobFile, Path> staged = new EnumMap<>(JobFile.class);
      for (String line : lines.subList(1, lines.size())) {
        String[] entry = line.split("\t", -1);
        staged.put(JobFile.valueOf(entry[0]), stagedFile(ref, entry[1]));
      }
      rollForward(ref, staged);
      if (hooksHere) {
        // Its hooks may not have been spooled: the site fires them once open, if the job is done.
        var unused = due.mark(ref);
      }
      LOG.info("{}: an interrupted commit of {} was completed", ref, staged.keySet());
    } catch (BadInput | IllegalArgumentException | IndexOutOfBoundsException e) {
      LOG.warn("{}: not a commit manifest, deleted: {}", manifest.getFileName(), e.toString());
    }
    Files.delete(manifest);
  }

  private Path stagedFile(JobRef ref, String name) {
    if (!name.startsWith(AtomicFiles.TEMP_PREFIX) || name.contains("/") || name.contains("\\")) {
      throw new IllegalArgumentException("staged file '" + name + "' is not a temp file");
    }
    return root.resolve(ref.runDir()).resolve(name);
  }

  private Path manifest(JobRef ref) {
    return state.commitManifest(ref);
  }
}
