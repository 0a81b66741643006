package io.soilci.server.upload;

import static org.assertj.core.api.Assertions.assertThat;

import io.soilci.files.AtomicFiles;
import io.soilci.result.JobFile;
import io.soilci.result.JobName;
import io.soilci.result.JobRef;
import io.soilci.result.RunId;
import io.soilci.result.WorkerHost;
import io.soilci.server.hooks.DueHooks;
import io.soilci.server.state.StateLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CommitJournalTest {
  private static final JobRef REF =
      new JobRef(WorkerHost.GITHUB, new RunId("500"), new JobName("demo"));

  @TempDir Path dir;
  private Path root;
  private Path state;
  private Path run;

  @BeforeEach
  void storeAnOldUpload() throws Exception {
    root = dir.resolve("site");
    state = dir.resolve("state");
    run = Files.createDirectories(root.resolve("github-jobs/500"));
    for (JobFile kind : JobFile.values()) {
      Files.writeString(run.resolve("demo" + kind.extension()), "old " + kind);
    }
  }

  private Map<JobFile, Path> stageANewUpload() throws Exception {
    Map<JobFile, Path> staged = new EnumMap<>(JobFile.class);
    for (JobFile kind : JobFile.values()) {
      Path temp = AtomicFiles.createTemp(run.resolve("demo" + kind.extension()));
      Files.writeString(temp, "new " + kind);
      AtomicFiles.sync(temp);
      staged.put(kind, temp);
    }
    return staged;
  }

  private String stored(JobFile kind) throws Exception {
    return Files.readString(run.resolve("demo" + kind.extension()), StandardCharsets.UTF_8);
  }

  private long filesIn(Path folder) throws Exception {
    try (Stream<Path> files = Files.list(folder)) {
      return files.count();
    }
  }

  @Test
  void aCommitCutOffAfterItsFirstRenameIsCompletedAtStart() throws Exception {
    Map<JobFile, Path> staged = stageANewUpload();
    new CommitJournal(root, new StateLayout(state)).begin(REF, staged);
    Files.move(staged.get(JobFile.WWZ), run.resolve("demo.wwz"), StandardCopyOption.ATOMIC_MOVE);
    assertThat(stored(JobFile.WWZ)).isEqualTo("new WWZ");
    assertThat(stored(JobFile.JSON)).isEqualTo("old JSON");

    int recovered = new CommitJournal(root, new StateLayout(state)).recover(true);

    assertThat(recovered).isEqualTo(1);
    for (JobFile kind : JobFile.values()) {
      assertThat(stored(kind)).isEqualTo("new " + kind);
    }
    assertThat(filesIn(run)).isEqualTo(3);
    assertThat(filesIn(state.resolve("commits"))).isZero();
    // Its hooks may not have been spooled: due at the site's opening.
    assertThat(DueHooks.in(new StateLayout(state)).left()).containsExactly(REF);
  }

  @Test
  void aReplicaOfTheDistributedModeCompletesACommitWithoutMarkingItsHooks() throws Exception {
    new CommitJournal(root, new StateLayout(state)).begin(REF, stageANewUpload());

    int recovered = new CommitJournal(root, new StateLayout(state)).recover(false);

    assertThat(recovered).isEqualTo(1);
    assertThat(stored(JobFile.JSON)).isEqualTo("new JSON");
    assertThat(DueHooks.in(new StateLayout(state)).left()).isEmpty();
  }

  @Test
  void aCommitCutOffBeforeItsFirstRenameIsCompletedAtStart() throws Exception {
    new CommitJournal(root, new StateLayout(state)).begin(REF, stageANewUpload());

    int recovered = new CommitJournal(root, new StateLayout(state)).recover(true);

    assertThat(recovered).isEqualTo(1);
    for (JobFile kind : JobFile.values()) {
      assertThat(stored(kind)).isEqualTo("new " + kind);
    }
    assertThat(filesIn(run)).isEqualTo(3);
  }

  @Test
  void aManifestCutOffWhileBeingWrittenChangesNothing() throws Exception {
    Map<JobFile, Path> staged = stageANewUpload();
    Path commits = Files.createDirectories(state.resolve("commits"));
    Files.writeString(
        commits.resolve(".tmp-123-github+500+demo.commit"),
        "github\t500\tdemo\nWWZ\t"
            + Objects.requireNonNull(staged.get(JobFile.WWZ)).getFileName()
            + "\n");

    int recovered = new CommitJournal(root, new StateLayout(state)).recover(true);

    assertThat(recovered).isZero();
    for (JobFile kind : JobFile.values()) {
      assertThat(stored(kind)).isEqualTo("old " + kind);
    }
    assertThat(filesIn(commits)).isZero();
    assertThat(DueHooks.in(new StateLayout(state)).left()).isEmpty();
  }

  @Test
  void aCompletedCommitWhoseManifestCameBackChangesNothing() throws Exception {
    CommitJournal journal = new CommitJournal(root, new StateLayout(state));
    Map<JobFile, Path> first = stageANewUpload();
    journal.begin(REF, first);
    journal.rollForward(REF, first);
    Files.writeString(run.resolve("demo.json"), "later JSON");

    int recovered = new CommitJournal(root, new StateLayout(state)).recover(true);

    assertThat(recovered).isEqualTo(1);
    assertThat(stored(JobFile.WWZ)).isEqualTo("new WWZ");
    assertThat(stored(JobFile.JSON)).isEqualTo("later JSON");
  }
}
