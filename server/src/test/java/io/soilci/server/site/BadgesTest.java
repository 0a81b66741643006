package io.soilci.server.site;

import static io.soilci.server.site.SiteTrees.T0;
import static io.soilci.server.site.SiteTrees.meta;
import static io.soilci.server.site.SiteTrees.read;
import static io.soilci.server.site.SiteTrees.ref;
import static io.soilci.server.site.SiteTrees.row;
import static org.assertj.core.api.Assertions.assertThat;

import io.soilci.result.JobMeta;
import io.soilci.result.TaskName;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BadgesTest {
  @TempDir Path root;

  private Site open() throws Exception {
    return Site.open(new SiteSettings(root, 200, Optional.empty()));
  }

  @Test
  void aBranchBadgeShowsItsNewestRunAndAJobBadgeItsNewestResult() throws Exception {
    try (Site site = open()) {
      SiteTrees.store(
          site,
          root,
          ref("1", "cpp"),
          meta("cpp", "1", "a1", "s", T0 + 100),
          List.of(row("t", 0, 1)));
      SiteTrees.store(
          site,
          root,
          ref("2", "cpp"),
          meta("cpp", "2", "a2", "s", T0 + 200),
          List.of(row("t", 1, 1)));
      SiteTrees.store(
          site,
          root,
          ref("2", "lint"),
          meta("lint", "2", "a2", "s", T0 + 200),
          List.of(row("t", 0, 1)));
    }

    assertThat(read(root, "github-jobs/badges/branch/soil-staging.svg"))
        .contains("aria-label=\"soil-staging: failing\"");
    assertThat(read(root, "github-jobs/badges/job/cpp.svg"))
        .contains("<title>cpp: failing</title>");
    assertThat(read(root, "github-jobs/badges/job/lint.svg"))
        .contains("<title>lint: passing</title>");
  }

  @Test
  void aRunningRunMakesItsBranchBadgeRunningAndAHostileBranchIsEscaped() throws Exception {
    Map<String, @Nullable String> values =
        new LinkedHashMap<>(meta("cpp", "3", "a3", "s", T0 + 300).values());
    values.put(JobMeta.GITHUB_REF, "refs/heads/x<script>&\"");
    try (Site site = open()) {
      SiteTrees.store(site, root, ref("3", "cpp"), new JobMeta(values), List.of(row("t", 0, 1)));
      site.jobStarted(ref("3", "lint"), Instant.ofEpochSecond(400));
      site.taskStarted(ref("3", "lint"), new TaskName("t"), Instant.ofEpochSecond(400));
    }

    assertThat(read(root, "github-jobs/badges/branch/x-script---.svg"))
        .contains("<title>x&lt;script&gt;&amp;&quot;: running</title>")
        .doesNotContain("<script>");
    assertThat(read(root, "github-jobs/badges/job/lint.svg")).contains("lint: running");
  }
}
