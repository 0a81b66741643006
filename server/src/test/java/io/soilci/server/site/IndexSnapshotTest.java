package io.soilci.server.site;

import static io.soilci.server.site.SiteTrees.meta;
import static io.soilci.server.site.SiteTrees.ref;
import static io.soilci.server.site.SiteTrees.row;
import static org.assertj.core.api.Assertions.assertThat;

import io.soilci.files.AtomicFiles;
import io.soilci.result.JobFile;
import io.soilci.result.JobMetaCodec;
import io.soilci.result.JobRef;
import io.soilci.result.TaskName;
import io.soilci.result.WorkerHost;
import io.soilci.server.state.StateLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IndexSnapshotTest {
  static final String COMMIT = "07ee33e4bb59fd268d5cc7200578668347eb96ec";

  @TempDir Path root;
  @TempDir Path state;

  private SiteSettings settings() {
    return new SiteSettings(root, 200, Optional.empty()).withState(new StateLayout(state));
  }

  /** The index of a site opened without a state folder: every job read from its files. */
  private Map<WorkerHost, List<RunState>> fromFiles() throws Exception {
    try (Site site = Site.open(new SiteSettings(root, 200, Optional.empty()))) {
      return Map.of(
          WorkerHost.GITHUB,
          site.index().all(WorkerHost.GITHUB),
          WorkerHost.SOURCEHUT,
          site.index().all(WorkerHost.SOURCEHUT));
    }
  }

  private static Map<WorkerHost, List<RunState>> of(Site site) {
    return Map.of(
        WorkerHost.GITHUB,
        site.index().all(WorkerHost.GITHUB),
        WorkerHost.SOURCEHUT,
        site.index().all(WorkerHost.SOURCEHUT));
  }

  private static String commitLine(Site site, JobRef job) {
    JobEntry entry = java.util.Objects.requireNonNull(site.index().job(job));
    return java.util.Objects.requireNonNull(entry.stored()).commitLine();
  }

  private void someHistory() throws Exception {
    SiteTrees.copyFixtures(root);
    try (Site site = Site.open(settings())) {
      JobRef stored = ref("7", "cpp");
      SiteTrees.store(
          site,
          root,
          stored,
          meta("cpp", "7", COMMIT, "a subject", SiteTrees.T0),
          List.of(row("build", 0, 3.5), row("unit", 1, 12)));
      JobRef running = ref("8", "lint");
      site.jobStarted(
          running,
          Instant.ofEpochSecond(SiteTrees.T0 + 60),
          Map.of("commit-hash", COMMIT, "GITHUB_RUN_ID", "98"),
          true);
      site.taskStarted(running, new TaskName("style"), Instant.ofEpochSecond(SiteTrees.T0 + 61));
      site.taskFinished(running, row("format", 0, 1.25));
      site.jobDone(ref("8", "gone"), 3, false);
    }
  }

  @Test
  void aStartFromTheSnapshotHasTheIndexReadingEveryFileGives() throws Exception {
    someHistory();
    assertThat(new StateLayout(state).indexSnapshot()).isRegularFile();

    try (Site site = Site.open(settings())) {
      assertThat(of(site)).isEqualTo(fromFiles());
      assertThat(site.index().run(WorkerHost.GITHUB, new io.soilci.result.RunId("8"))).isNotNull();
    }
  }

  @Test
  void aStartTakesUnchangedRunsFromTheSnapshotAndReadsChangedOnes() throws Exception {
    someHistory();
    JobRef job = ref("7", "cpp");
    Path json = root.resolve(job.file(JobFile.JSON));
    // Rewritten in place (same file): the run folder's stamp is unchanged, so the snapshot's
    // facts stay (the documented limit: replace files, or run regen).
    Files.write(json, JobMetaCodec.format(meta("cpp", "7", COMMIT, "in place", SiteTrees.T0)));
    try (Site site = Site.open(settings())) {
      assertThat(commitLine(site, job)).isEqualTo("a subject");
    }
    // Replaced by a rename, as an upload, ingest or an SFTP copy does: read again.
    AtomicFiles.write(json, JobMetaCodec.format(meta("cpp", "7", COMMIT, "renamed", SiteTrees.T0)));
    try (Site site = Site.open(settings())) {
      assertThat(commitLine(site, job)).isEqualTo("renamed");
      assertThat(of(site)).isEqualTo(fromFiles());
    }
  }

  @Test
  void regenForgetsTheSnapshotAndANewRunOrAGoneOneIsSeen() throws Exception {
    someHistory();
    Site.forgetSnapshot(new StateLayout(state));
    Path run9 = root.resolve("github-jobs/9");
    Files.createDirectories(run9);
    Files.copy(root.resolve("github-jobs/7/cpp.tsv"), run9.resolve("cpp.tsv"));
    Files.copy(root.resolve("github-jobs/7/cpp.wwz"), run9.resolve("cpp.wwz"));
    Files.write(
        run9.resolve("cpp.json"),
        JobMetaCodec.format(meta("cpp", "9", COMMIT, "nine", SiteTrees.T0 + 120)));
    try (Site site = Site.open(settings())) {
      assertThat(of(site)).isEqualTo(fromFiles());
    }
    assertThat(new StateLayout(state).indexSnapshot()).isRegularFile();
    try (var files = Files.walk(run9)) {
      for (Path file : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(file);
      }
    }
    try (Site site = Site.open(settings())) {
      assertThat(site.index().run(WorkerHost.GITHUB, new io.soilci.result.RunId("9"))).isNull();
      assertThat(of(site)).isEqualTo(fromFiles());
    }
  }

  @Test
  void runsWhoseFoldersChangedOrWentWhileDownAreNotKeptFromTheSnapshot() throws Exception {
    someHistory();
    // A start loads the snapshot's runs before their folders are stat'ed; the ones whose folders
    // turned out changed or gone are taken out again. Run 7: every job file deleted, its folder
    // kept (read again, no job: no run); run 8 (a job still running): its folder deleted.
    try (var files = Files.list(root.resolve("github-jobs/7"))) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        Files.delete(file);
      }
    }
    try (var files = Files.walk(root.resolve("github-jobs/8"))) {
      for (Path file : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(file);
      }
    }
    try (Site site = Site.open(settings())) {
      assertThat(site.index().run(WorkerHost.GITHUB, new io.soilci.result.RunId("7"))).isNull();
      assertThat(site.index().run(WorkerHost.GITHUB, new io.soilci.result.RunId("8"))).isNull();
      // Nor filed under their commit, day or status run id.
      assertThat(site.index().ofCommit(WorkerHost.GITHUB, COMMIT))
          .extracting(RunState::id)
          .doesNotContain(new io.soilci.result.RunId("7"), new io.soilci.result.RunId("8"));
      assertThat(site.index().ofStatusId(WorkerHost.GITHUB, "98")).isEmpty();
      assertThat(of(site)).isEqualTo(fromFiles());
    }
  }

  @Test
  void aSnapshotOfAnotherFormatOrCutShortIsNotUsed() throws Exception {
    someHistory();
    Path file = new StateLayout(state).indexSnapshot();
    byte[] bytes = Files.readAllBytes(file);
    Files.write(file, java.util.Arrays.copyOf(bytes, bytes.length / 2));
    try (Site site = Site.open(settings())) {
      assertThat(of(site)).isEqualTo(fromFiles());
    }
    bytes = Files.readAllBytes(file);
    bytes[11] = 99; // the format version's low byte
    Files.write(file, bytes);
    try (Site site = Site.open(settings())) {
      assertThat(of(site)).isEqualTo(fromFiles());
    }
  }

  /** A run of two jobs: one kept with two failing tests (history pages), one still running. */
  private static RunState runWithTestsAndARunningJob(String id, String commit) {
    io.soilci.result.JobName kept = new io.soilci.result.JobName("cpp");
    TestKey first = TestKey.of("cpp", "unit", "suite a", "test one");
    TestKey second = TestKey.of("cpp", "unit", "suite a", "test two");
    TestSummary tests =
        new TestSummary(
            Map.of("unit", new io.soilci.result.TestCounts(1, 2, 0, 0, 0)),
            new io.soilci.result.TestCounts(1, 2, 0, 0, 0),
            List.of(),
            0,
            "",
            List.of(Optional.of(first), Optional.empty(), Optional.of(second)),
            JobTests.NONE);
    List<io.soilci.result.TaskRow> rows = List.of(row("build", 0, 3.5), row("unit", 1, 12));
    JobFacts facts =
        new JobFacts(
            kept,
            commit,
            "a subject",
            "2026-11-20",
            "",
            "",
            "",
            "",
            "main",
            "98",
            "",
            "",
            SiteTrees.T0,
            rows,
            TaskTotals.of(kept, rows),
            "",
            tests,
            Map.of());
    io.soilci.result.JobName lint = new io.soilci.result.JobName("lint");
    RunningJob running =
        RunningJob.startedAt(
            SiteTrees.T0 - 60,
            Map.of("job-name", "lint", "commit-hash", commit, "GITHUB_RUN_ID", "99"),
            true);
    java.util.TreeMap<String, JobEntry> jobs = new java.util.TreeMap<>();
    jobs.put("cpp", new JobEntry(kept, facts, null));
    jobs.put("lint", new JobEntry(lint, null, running));
    return new RunState(RunKey.of(new io.soilci.result.RunId(id)), SiteTrees.T0 * 1000, jobs);
  }

  @Test
  void aRunFromTheSnapshotIsFiledByItsSummaryAndItsJobsAreMadeOnlyWhenRead() throws Exception {
    RunState seven = runWithTestsAndARunningJob("7", COMMIT);
    RunState eight = runWithTestsAndARunningJob("8", "not a commit");
    Path file = new StateLayout(state).indexSnapshot();
    FolderStamp stamp = new FolderStamp(1, 2, 0, 0);
    IndexSnapshot.write(
        file,
        "key",
        Map.of(
            WorkerHost.GITHUB,
            List.of(new IndexSnapshot.Run(seven, stamp), new IndexSnapshot.Run(eight, stamp))));

    Map<String, IndexSnapshot.Run> read =
        java.util.Objects.requireNonNull(
            IndexSnapshot.read(file, "key", new StringBuilder(), (host, run) -> {})
                .orElseThrow()
                .get(WorkerHost.GITHUB));
    RunState loaded = java.util.Objects.requireNonNull(read.get("7")).state();
    SnapshotJobs jobs = (SnapshotJobs) loaded.jobs();
    // What the index files a run by is answered without making its jobs, as the jobs answer it.
    assertThat(loaded.commits()).containsExactly(COMMIT).isEqualTo(seven.commits());
    assertThat(loaded.statusRunIds()).containsExactly("98", "99").isEqualTo(seven.statusRunIds());
    assertThat(loaded.startEpoch()).isEqualTo(SiteTrees.T0 - 60).isEqualTo(seven.startEpoch());
    assertThat(loaded.day()).isEqualTo(seven.day());
    assertThat(loaded.inProgress()).isTrue();
    assertThat(loaded.testPageKeys()).hasSize(2).isEqualTo(seven.testPageKeys());
    assertThat(loaded.jobs()).hasSize(2).isNotEmpty();
    assertThat(jobs.decoded()).isFalse();
    SiteIndex index = new SiteIndex();
    index.load(WorkerHost.GITHUB, List.of(loaded));
    assertThat(index.ofCommit(WorkerHost.GITHUB, COMMIT)).containsExactly(loaded);
    assertThat(index.ofStatusId(WorkerHost.GITHUB, "99")).containsExactly(loaded);
    assertThat(
            index.hasTestPage(WorkerHost.GITHUB, TestKey.of("cpp", "unit", "suite a", "test two")))
        .isTrue();
    // The metrics' job counts too: a scrape after a start made every run's jobs.
    assertThat(JobCounts.of(List.of(loaded))).isEqualTo(JobCounts.of(List.of(seven)));
    assertThat(JobCounts.of(List.of(loaded)).count(JobCounts.State.RUNNING)).isEqualTo(1);
    assertThat(jobs.decoded()).isFalse();

    // Read, the jobs are the ones written.
    assertThat(loaded).isEqualTo(seven);
    assertThat(jobs.decoded()).isTrue();
    RunState loadedEight = java.util.Objects.requireNonNull(read.get("8")).state();
    assertThat(loadedEight.commits()).isEmpty();
    assertThat(loadedEight).isEqualTo(eight);
  }

  @Test
  void aRunNotReadSinceTheStartIsWrittenBackAsTheSameBytes() throws Exception {
    someHistory();
    Path file = new StateLayout(state).indexSnapshot();
    byte[] before = Files.readAllBytes(file);
    try (Site site = Site.open(settings())) {
      RunState seven = site.index().run(WorkerHost.GITHUB, new io.soilci.result.RunId("7"));
      assertThat(((SnapshotJobs) java.util.Objects.requireNonNull(seven).jobs()).decoded())
          .isFalse();
    }
    assertThat(Files.readAllBytes(file)).isEqualTo(before);
    try (Site site = Site.open(settings())) {
      // Made from those bytes, the runs are the ones the files give.
      assertThat(of(site)).isEqualTo(fromFiles());
    }
  }
}
