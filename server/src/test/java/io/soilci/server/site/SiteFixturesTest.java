package io.soilci.server.site;

import static org.assertj.core.api.Assertions.assertThat;

import io.soilci.result.RunId;
import io.soilci.result.WorkerHost;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SiteFixturesTest {
  @TempDir Path root;

  @Test
  void loadsTheOriginalSoilsFilesUnchanged() throws Exception {
    SiteTrees.copyFixtures(root);

    try (Site site = Site.open(new SiteSettings(root, 200, Optional.empty()))) {

      RunState run = SiteTrees.run(site, WorkerHost.GITHUB, "4101");
      assertThat(run.jobs().keySet()).containsExactly("cpp-small", "dev-minimal");
      assertThat(SiteTrees.job(run, "cpp-small").statusText()).isEqualTo("task unit");
      assertThat(SiteTrees.job(run, "dev-minimal").state()).isEqualTo("pass");
      assertThat(run.statusRunIds()).containsExactly("94101");
      assertThat(site.index().run(WorkerHost.SOURCEHUT, new RunId("345"))).isNotNull();
    }
  }

  @Test
  void writesEveryPageOfAFreshSiteAtOpen() throws Exception {
    SiteTrees.copyFixtures(root);

    try (Site site =
        Site.open(new SiteSettings(root, 200, Optional.of("https://github.com/example/proj")))) {

      for (String page :
          new String[] {
            "index.html",
            "web/site.css",
            "web/site.js",
            "github-jobs/index.html",
            "github-jobs/index.json",
            "github-jobs/raw.html",
            "github-jobs/4101/index.html",
            "github-jobs/4101/json/index.json",
            "github-jobs/4102/index.html",
            "github-jobs/commits/07ee33e4bb59fd268d5cc7200578668347eb96ec.html",
            "github-jobs/days/2025-11-20.html",
            "sourcehut-jobs/index.html",
            "sourcehut-jobs/345/index.html",
            "status-api/github/94101/index.json"
          }) {
        assertThat(root.resolve(page)).as(page).isRegularFile();
      }
      String runPage = SiteTrees.read(root, "github-jobs/4101/index.html");
      assertThat(runPage)
          .contains("Fix &lt;b&gt;the&lt;/b&gt; parser &amp; lexer")
          .doesNotContain("<b>the</b>")
          .contains("href=\"cpp-small.wwz/_tmp/soil/logs/unit.txt\"")
          .contains("href=\"cpp-small.wwz/_test/unit/index.html\"")
          .contains(
              "https://github.com/example/proj/commit/07ee33e4bb59fd268d5cc7200578668347eb96ec");
      assertThat(SiteTrees.read(root, "sourcehut-jobs/index.html"))
          .contains(">git-35139ef8</a>")
          .contains("href=\"commits/35139ef894b28b73bea022755166a23933c7d9cb.html\"")
          .contains("href=\"345/index.html#job-dev-minimal\"");
      assertThat(Files.readString(root.resolve("status-api/github/94101/cpp-small.status.txt")))
          .isEqualTo("1 2026-11-20__10-07-00\n");
    }
  }
}
