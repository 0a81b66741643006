package io.soilci.server.site;

import static io.soilci.server.site.SiteTrees.T0;
import static io.soilci.server.site.SiteTrees.meta;
import static io.soilci.server.site.SiteTrees.ref;
import static io.soilci.server.site.SiteTrees.row;
import static org.assertj.core.api.Assertions.assertThat;

import io.soilci.files.AtomicFiles;
import io.soilci.result.JobFile;
import io.soilci.result.JobMetaCodec;
import io.soilci.result.JobRef;
import io.soilci.result.TaskRows;
import io.soilci.server.hooks.DueHooks;
import io.soilci.server.hooks.HookEvent;
import io.soilci.server.hooks.HookSettings;
import io.soilci.server.state.StateLayout;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SiteHooksTest {
  @TempDir Path root;
  @TempDir Path out;
  @TempDir Path stateDir;

  /** Hooks that append "EVENT JOB" to out/fired, one line per hook run. */
  private HookSettings logged() {
    String line = "echo \"$SOIL_EVENT $SOIL_JOB\" >> \"" + out + "/fired\"";
    return HookSettings.NONE
        .with(HookEvent.JOB_FAILED, line)
        .with(HookEvent.JOB_PASSED, line)
        .with(HookEvent.RUN_FINISHED, line);
  }

  private SiteSettings served(HookSettings hooks) {
    return new SiteSettings(root, 200, Optional.empty(), hooks)
        .withState(new StateLayout(stateDir));
  }

  private List<String> fired() throws IOException {
    Path fired = out.resolve("fired");
    return Files.exists(fired) ? Files.readAllLines(fired) : List.of();
  }

  /** A job's three files put in place, as an upload's commit does, the site not told. */
  private static void storeFilesOnly(Path root, JobRef ref, int status) throws IOException {
    AtomicFiles.write(root.resolve(ref.file(JobFile.WWZ)), new byte[] {'P', 'K', 5, 6});
    AtomicFiles.write(
        root.resolve(ref.file(JobFile.TSV)),
        TaskRows.format(List.of(row("t", status, 1))).getBytes(StandardCharsets.UTF_8));
    AtomicFiles.write(
        root.resolve(ref.file(JobFile.JSON)),
        JobMetaCodec.format(meta(ref.job().value(), ref.run().value(), "abc1234", "s", T0)));
  }

  /** Run 5's jobs dev and cpp started. */
  private static void startRunFive(Site site) throws IOException {
    site.jobStarted(ref("5", "dev"), Instant.ofEpochSecond(1000));
    site.jobStarted(ref("5", "cpp"), Instant.ofEpochSecond(1000));
  }

  @Test
  void aJobStoredButCutOffBeforeItsHooksFiresThemAtTheNextStartOnce() throws Exception {
    StateLayout state = new StateLayout(stateDir);
    try (Site site = Site.open(served(logged()))) {
      startRunFive(site);
      SiteTrees.store(
          site,
          root,
          ref("5", "cpp"),
          meta("cpp", "5", "abc1234", "s", T0),
          List.of(row("t", 2, 1)));
    }
    assertThat(fired()).containsExactly("job-failed cpp");
    // The crash: dev's upload committed (its files in place, the manifest left, which the start
    // turns into a mark), the server killed before the site was told and the hooks spooled.
    storeFilesOnly(root, ref("5", "dev"), 0);
    assertThat(DueHooks.in(state).mark(ref("5", "dev"))).isTrue();

    try (Site site = Site.open(served(logged()))) {
      assertThat(SiteTrees.job(SiteTrees.run(site, ref("5", "dev").host(), "5"), "dev").done())
          .isTrue();
    }
    // close() waited for the queued hooks.
    assertThat(fired())
        .containsExactlyInAnyOrder("job-failed cpp", "job-passed dev", "run-finished ");
    assertThat(DueHooks.in(state).left()).isEmpty();

    try (Site site = Site.open(served(logged()))) {
      assertThat(site.running(ref("5", "dev"))).isFalse();
    }
    assertThat(fired()).as("fired once, not at every start").hasSize(3);
  }

  @Test
  void aMarkForAJobNotDoneFiresNothingAndIsDeleted() throws Exception {
    StateLayout state = new StateLayout(stateDir);
    try (Site site = Site.open(served(logged()))) {
      site.jobStarted(ref("5", "dev"), Instant.ofEpochSecond(1000));
    }
    // Cut off before its commit point: the job is still running.
    assertThat(DueHooks.in(state).mark(ref("5", "dev"))).isTrue();
    assertThat(DueHooks.in(state).mark(ref("6", "gone"))).isTrue();

    try (Site site = Site.open(served(logged()))) {
      assertThat(site.running(ref("5", "dev"))).isTrue();
    }
    assertThat(fired()).isEmpty();
    assertThat(DueHooks.in(state).left()).isEmpty();
  }

  @Test
  void aMarkThatCannotBeWrittenFailsNoEvent() throws Exception {
    // A file where the marks' folder should be: a done event is still taken, its hook still runs.
    Files.writeString(stateDir.resolve("hooks-due"), "not a folder\n");
    try (Site site = Site.open(served(logged()))) {
      site.jobStarted(ref("5", "dev"), Instant.ofEpochSecond(1000));
      site.jobDone(ref("5", "dev"), 0, false);
      assertThat(site.running(ref("5", "dev"))).isFalse();
    }
    assertThat(fired()).containsExactlyInAnyOrder("job-passed dev", "run-finished ");
    assertThat(Files.readString(stateDir.resolve("hooks-due"))).isEqualTo("not a folder\n");
  }

  @Test
  void aDoneEventFiresItsHooksOnceAndLeavesNoMark() throws Exception {
    StateLayout state = new StateLayout(stateDir);
    try (Site site = Site.open(served(logged()))) {
      startRunFive(site);
      site.jobDone(ref("5", "dev"), 0, false);
      assertThat(DueHooks.in(state).left()).isEmpty();
    }
    assertThat(fired()).containsExactly("job-passed dev");
    try (Site site = Site.open(served(logged()))) {
      assertThat(site.running(ref("5", "cpp"))).isTrue();
    }
    assertThat(fired()).as("not again at the next start").containsExactly("job-passed dev");
  }

  @Test
  void firesJobFailedThenRunFinishedWhenTheLastRunningJobEnds() throws Exception {
    // Written under a temp name, then renamed: the test sees a file only once it is complete.
    String file = "\"" + out + "/$SOIL_EVENT-$SOIL_JOB.txt\"";
    String record = "env | grep '^SOIL_' | sort > " + file + ".tmp && mv " + file + ".tmp " + file;
    HookSettings hooks =
        HookSettings.NONE
            .with(HookEvent.JOB_FAILED, record)
            .with(HookEvent.JOB_PASSED, record)
            .with(HookEvent.RUN_FINISHED, record);
    try (Site site = Site.open(new SiteSettings(root, 200, Optional.empty(), hooks))) {
      site.jobStarted(ref("5", "cpp"), Instant.ofEpochSecond(1000));
      site.jobStarted(ref("5", "dev"), Instant.ofEpochSecond(1000));
      SiteTrees.store(
          site,
          root,
          ref("5", "dev"),
          meta("dev", "5", "abc1234", "s", T0 + 1000),
          List.of(row("t", 0, 1)));

      SiteTrees.store(
          site,
          root,
          ref("5", "cpp"),
          meta("cpp", "5", "abc1234", "s", T0 + 1000),
          List.of(row("t", 2, 1)));

      HooksTestSupport.awaitFile(out.resolve("run-finished-.txt"));
      HooksTestSupport.awaitFile(out.resolve("job-failed-cpp.txt"));
      HooksTestSupport.awaitFile(out.resolve("job-passed-dev.txt"));
      assertThat(Files.readString(out.resolve("job-failed-cpp.txt")))
          .contains(
              "SOIL_HOST=github\n",
              "SOIL_RUN=5\n",
              "SOIL_JOB=cpp\n",
              "SOIL_STATUS=2\n",
              "SOIL_STATUS_TEXT=task t\n");
      assertThat(Files.readString(out.resolve("run-finished-.txt")))
          .contains("SOIL_RUN=5\n", "SOIL_STATUS=2\n", "SOIL_JOBS=2\n");
      assertThat(out.resolve("job-passed-dev.txt")).isRegularFile();
    }
  }

  @Test
  void aFailingHookDoesNotFailTheUpload() throws Exception {
    HookSettings hooks = HookSettings.NONE.with(HookEvent.JOB_PASSED, "exit 1");
    try (Site site = Site.open(new SiteSettings(root, 200, Optional.empty(), hooks))) {

      SiteTrees.store(
          site,
          root,
          ref("5", "dev"),
          meta("dev", "5", "abc1234", "s", T0 + 1000),
          List.of(row("t", 0, 1)));

      assertThat(SiteTrees.read(root, "github-jobs/5/index.html")).contains("dev");
    }
  }
}
