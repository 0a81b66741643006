package io.soilci.server.site;

import static io.soilci.server.site.SiteTrees.ref;
import static org.assertj.core.api.Assertions.assertThat;

import io.soilci.result.JobName;
import io.soilci.result.RunId;
import io.soilci.result.SiteLayout;
import io.soilci.result.WorkerHost;
import io.soilci.server.state.StateLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PageJournalTest {
  static final Instant T0 = Instant.parse("2026-11-20T10:00:00Z");

  @TempDir Path root;
  @TempDir Path state;

  private SiteSettings settings() {
    return new SiteSettings(root, 200, Optional.empty()).withState(new StateLayout(state));
  }

  @Test
  void everyKindOfPageSurvivesItsJournalLine() {
    SiteLayout layout = new SiteLayout(root);
    WorkerHost host = WorkerHost.GITHUB;
    List<Page> pages =
        List.of(
            new Page.Home(),
            new Page.HostIndex(host),
            new Page.HostJson(host),
            new Page.RawHtml(host),
            new Page.RunHtml(host, new RunId("7")),
            new Page.RunJson(host, new RunId("git-abc")),
            new Page.CommitHtml(host, "07ee33e4bb59fd268d5cc7200578668347eb96ec"),
            new Page.DayHtml(WorkerHost.SOURCEHUT, "2026-11-20"),
            new Page.StatusJson(host, "90001"),
            new Page.BranchBadge(host, "main.svg"),
            new Page.JobBadge(host, new JobName("cpp-small")),
            new Page.TestHtml(host, TestKey.of("cpp", "unit", "a\tb", "name with\nline % & ü")),
            new Page.TestJson(host, TestKey.of("cpp", "unit", "", "x")));
    for (Page page : pages) {
      assertThat(PageJournal.decode(layout, PageJournal.encode(page))).isEqualTo(page);
    }
    assertThat(PageJournal.decode(layout, "run\tgithub\t../../etc")).isNull();
    assertThat(PageJournal.decode(layout, "run\tgith")).isNull();
    assertThat(PageJournal.decode(layout, "")).isNull();
  }

  @Test
  void aPageNamedInTheJournalIsRenderedAgainAtStartEvenForAnOldRun() throws Exception {
    try (Site site = Site.open(settings())) {
      for (int run = 1; run <= 60; run++) {
        site.jobStarted(ref(Integer.toString(run), "cpp"), T0.plusSeconds(run * 60L));
        site.jobDone(ref(Integer.toString(run), "cpp"), 0, false);
      }
    }
    assertThat(new StateLayout(state).pageJournal()).isEmptyFile();
    Path page = root.resolve(SiteLayout.runHtml(WorkerHost.GITHUB, new RunId("1")));
    String fresh = Files.readString(page);
    // As a SIGKILL leaves it: the event named the page, then died before the page was written.
    Files.writeString(page, "stale");
    Files.writeString(
        new StateLayout(state).pageJournal(),
        "run\tgithub\t1\n",
        StandardCharsets.UTF_8,
        StandardOpenOption.APPEND);

    try (Site site = Site.open(settings())) {
      assertThat(Files.readString(page)).isEqualTo(fresh);
    }
    assertThat(new StateLayout(state).pageJournal()).isEmptyFile();
  }
}
