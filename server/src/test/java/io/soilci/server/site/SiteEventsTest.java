package io.soilci.server.site;

import static io.soilci.server.site.SiteTrees.meta;
import static io.soilci.server.site.SiteTrees.read;
import static io.soilci.server.site.SiteTrees.ref;
import static io.soilci.server.site.SiteTrees.row;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.soilci.result.BadInput;
import io.soilci.result.JobRef;
import io.soilci.result.RunId;
import io.soilci.result.SiteLayout;
import io.soilci.result.TaskName;
import io.soilci.result.WorkerHost;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SiteEventsTest {
  static final String COMMIT = "07ee33e4bb59fd268d5cc7200578668347eb96ec";
  static final Instant T0 = Instant.parse("2026-11-20T10:00:00Z");

  @TempDir Path root;
  Site site;

  @BeforeEach
  void open() throws Exception {
    site = Site.open(new SiteSettings(root, 200, Optional.empty()));
  }

  @AfterEach
  void close() {
    site.close();
  }

  @Test
  void showsAStartedJobAsRunningOnTheHostIndexAndTheRunPage() throws Exception {
    site.jobStarted(ref("7", "cpp"), T0);

    assertThat(read(root, "github-jobs/index.html")).contains("<li class=\"chip running\">");
    assertThat(read(root, "github-jobs/7/index.html")).contains("running");
    assertThat(root.resolve("github-jobs/7/.running/cpp.json")).isRegularFile();
  }

  @Test
  void showsTheRunningTaskAndTheFinishedOnes() throws Exception {
    JobRef job = ref("7", "cpp");
    site.jobStarted(job, T0);
    site.taskStarted(job, new TaskName("build"), T0);
    site.taskFinished(job, row("build", 0, 61));
    site.taskStarted(job, new TaskName("unit"), T0.plusSeconds(61));

    String page = read(root, "github-jobs/7/index.html");

    assertThat(page).contains("running unit").contains("<td>build</td>").contains("1:01");
    assertThat(SiteTrees.job(SiteTrees.run(site, WorkerHost.GITHUB, "7"), "cpp").elapsed())
        .isEqualTo(61.0);
  }

  @Test
  void storingTheFilesEndsTheRunningStateAndShowsTheResult() throws Exception {
    JobRef job = ref("7", "cpp");
    site.jobStarted(job, T0);

    SiteTrees.store(
        site,
        root,
        job,
        meta("cpp", "7", COMMIT, "msg", SiteTrees.T0 + 1000),
        List.of(row("unit", 1, 5)));

    assertThat(root.resolve("github-jobs/7/.running/cpp.json")).doesNotExist();
    assertThat(read(root, "github-jobs/index.html"))
        .contains("<li class=\"chip fail\">")
        .contains("task unit");
    assertThat(read(root, "github-jobs/7/index.html"))
        .contains("href=\"cpp.wwz/_tmp/soil/logs/unit.txt\"");
  }

  @Test
  void aRestartStillKnowsWhatIsInProgress() throws Exception {
    JobRef job = ref("7", "cpp");
    site.jobStarted(job, T0);
    site.taskStarted(job, new TaskName("unit"), T0);
    site.close();

    site = Site.open(new SiteSettings(root, 200, Optional.empty()));

    JobEntry entry = SiteTrees.job(SiteTrees.run(site, WorkerHost.GITHUB, "7"), "cpp");
    assertThat(entry.inProgress()).isTrue();
    assertThat(entry.statusText()).isEqualTo("running unit");
  }

  @Test
  void writesTheStatusFileUnderTheStoredGithubRunId() throws Exception {
    JobRef job = ref("7", "cpp");
    SiteTrees.store(
        site,
        root,
        job,
        meta("cpp", "7", COMMIT, "m", SiteTrees.T0 + 1000),
        List.of(row("a", 1, 1)));

    site.jobDone(job, 1, true);

    assertThat(read(root, "status-api/github/97/cpp.status.txt"))
        .matches("1 \\d{4}-\\d\\d-\\d\\d__\\d\\d-\\d\\d-\\d\\d\n");
    assertThat(read(root, "status-api/github/97/index.json")).contains("\"state\" : \"fail\"");
  }

  @Test
  void writesTheStatusFileUnderAnExplicitStatusRunId() throws Exception {
    JobRef job = ref("7", "cpp");
    site.jobStarted(job, T0);

    site.jobDone(job, 0, true, new RunId("123456"));

    assertThat(read(root, "status-api/github/123456/cpp.status.txt")).startsWith("0 ");
    assertThat(read(root, "status-api/github/123456/index.json")).contains("\"state\" : \"pass\"");
    assertThat(read(root, "github-jobs/7/index.html")).contains("passed (no files)");
  }

  @Test
  void aDoneEventAfterTheFilesKeepsTheStoredResult() throws Exception {
    JobRef job = ref("7", "cpp");
    site.jobStarted(job, T0);
    SiteTrees.store(
        site,
        root,
        job,
        meta("cpp", "7", COMMIT, "m", SiteTrees.T0 + 1000),
        List.of(row("u", 1, 1)));

    site.jobDone(job, 1, false);

    assertThat(read(root, "github-jobs/7/index.html"))
        .contains("task u")
        .doesNotContain("no files");
  }

  @Test
  void groupsSourcehutJobsOfOneCommitIntoOneRow() throws Exception {
    for (String id : List.of("345", "346")) {
      JobRef job =
          new JobRef(WorkerHost.SOURCEHUT, new RunId(id), new io.soilci.result.JobName("j" + id));
      SiteTrees.store(
          site,
          root,
          job,
          meta("j" + id, id, COMMIT, "m", SiteTrees.T0 + 1000),
          List.of(row("u", 0, 1)));
    }

    String index = read(root, "sourcehut-jobs/index.html");

    assertThat(index.split("<article", -1)).hasSize(2);
    assertThat(index).contains(">git-07ee33e4</a>").contains(">j345</a>").contains(">j346</a>");
  }

  @Test
  void writesNoStatusFileWithoutUpdateStatusApi() throws Exception {
    site.jobDone(ref("7", "cpp"), 0, false);

    assertThat(root.resolve("status-api/github/7/cpp.status.txt")).doesNotExist();
  }

  @Test
  void rejectsARunNamedLikeAPage() {
    assertThatThrownBy(() -> site.jobStarted(ref("commits", "cpp"), T0))
        .isInstanceOf(BadInput.class)
        .hasMessage("runId 'commits' is reserved for the site's pages; use another run name");
    assertThat(root.resolve("github-jobs/commits/.running")).doesNotExist();
  }

  @Test
  void rejectsAJobWhoseJsonWouldBeTheRunsJsonPage() {
    assertThatThrownBy(() -> SiteLayout.requirePublishable(ref("7", "index")))
        .isInstanceOf(BadInput.class)
        .hasMessage(
            "jobName 'index' is reserved: RUN/index.json is the run JSON's old address and redirects to json/index.json; use another job name");
  }

  @Test
  void doesNotTakeTheRunsJsonPageForAJobAtOpen() throws Exception {
    SiteTrees.store(
        site,
        root,
        ref("7", "cpp"),
        meta("cpp", "7", COMMIT, "m", SiteTrees.T0 + 1000),
        List.of(row("a", 0, 1)));
    assertThat(root.resolve("github-jobs/7/json/index.json")).isRegularFile();
    site.close();

    site = Site.open(new SiteSettings(root, 200, Optional.empty()));

    assertThat(SiteTrees.run(site, WorkerHost.GITHUB, "7").jobs().keySet()).containsExactly("cpp");
  }

  @Test
  void runStoredReadsFilesPutInPlaceByAnotherUploader() throws Exception {
    SiteTrees.copyFixtures(root);

    site.runStored(WorkerHost.GITHUB, new RunId("4101"));

    assertThat(read(root, "github-jobs/4101/index.html"))
        .contains("cpp-small")
        .contains("dev-minimal");
    assertThat(read(root, "github-jobs/index.html")).contains("4101").doesNotContain("4102");
  }

  @Test
  void rewritesAtOpenARecentPageThatACrashLeftStale() throws Exception {
    JobRef job = ref("7", "cpp");
    SiteTrees.store(
        site,
        root,
        job,
        meta("cpp", "7", COMMIT, "m", SiteTrees.T0 + 1000),
        List.of(row("u", 1, 1)));
    String runPage = read(root, "github-jobs/7/index.html");
    Files.writeString(root.resolve("github-jobs/7/index.html"), "stale");
    site.close();

    site = Site.open(new SiteSettings(root, 200, Optional.empty()));

    assertThat(read(root, "github-jobs/7/index.html")).isEqualTo(runPage);
    assertThat(site.writeCount("github-jobs/7/index.html")).isEqualTo(1);
    assertThat(site.writeCount("github-jobs/index.html")).isZero();
  }

  @Test
  void listsABrokenStoredFileAsBrokenAtOpenAndGoesOn() throws Exception {
    SiteTrees.copyFixtures(root);
    Files.writeString(root.resolve("github-jobs/4101/cpp-small.tsv"), "not\ta\trow\n");
    Files.writeString(root.resolve("github-jobs/4102/dev-minimal.json"), "{\"job-name\": ");
    site.close();

    site = Site.open(new SiteSettings(root, 200, Optional.empty()));

    RunState run = SiteTrees.run(site, WorkerHost.GITHUB, "4101");
    assertThat(run.jobs().keySet()).containsExactly("cpp-small", "dev-minimal");
    assertThat(java.util.Objects.requireNonNull(run.jobs().get("cpp-small")).statusText())
        .isEqualTo(
            "broken: github-jobs/4101/cpp-small.tsv line 1: has 3 columns, expected 6 (status,"
                + " elapsed, name, script_name, func, results_url)");
    assertThat(java.util.Objects.requireNonNull(run.jobs().get("cpp-small")).state())
        .isEqualTo("fail");
    assertThat(java.util.Objects.requireNonNull(run.jobs().get("dev-minimal")).statusText())
        .isEqualTo("passed");
    assertThat(
            java.util.Objects.requireNonNull(
                    SiteTrees.run(site, WorkerHost.GITHUB, "4102").jobs().get("dev-minimal"))
                .statusText())
        .startsWith("broken: github-jobs/4102/dev-minimal.json is not valid JSON: ");
    assertThat(site.brokenJobs()).hasSize(2);
  }
}
