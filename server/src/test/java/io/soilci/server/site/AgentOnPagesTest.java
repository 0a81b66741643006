package io.soilci.server.site;

import static io.soilci.server.site.SiteTrees.meta;
import static io.soilci.server.site.SiteTrees.ref;
import static io.soilci.server.site.SiteTrees.row;
import static org.assertj.core.api.Assertions.assertThat;

import io.soilci.result.JobMeta;
import io.soilci.result.JobRef;
import io.soilci.server.state.StateLayout;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A job an agent of the coordinator ran says so on the run page and the host's jobs page (its
 * {@code JOB.json} has {@code agent}), linked to the agents page; the home page links the
 * coordinator's pages; the index snapshot keeps the agent.
 */
class AgentOnPagesTest {
  private static final String COMMIT = "0123456789abcdef0123456789abcdef01234567";

  @TempDir Path root;
  @TempDir Path state;

  private SiteSettings settings() {
    return new SiteSettings(root, 200, Optional.empty()).withState(new StateLayout(state));
  }

  private static JobMeta byAgent(String job, String agent) {
    Map<String, @Nullable String> values =
        new LinkedHashMap<>(meta(job, "soil-1", COMMIT, "agents", SiteTrees.T0).values());
    values.put(JobMeta.AGENT, agent);
    values.put(JobMeta.COORDINATOR_JOB, "17");
    return new JobMeta(values);
  }

  @Test
  void theRunAndHostPagesNameTheAgentAndTheHomeLinksTheCoordinator() throws Exception {
    JobRef unit = ref("soil-1", "unit");
    try (Site site = Site.open(settings())) {
      SiteTrees.store(site, root, unit, byAgent("unit", "arm-box"), List.of(row("build", 0, 3)));
      SiteTrees.store(
          site,
          root,
          ref("soil-1", "lint"),
          meta("lint", "soil-1", COMMIT, "agents", SiteTrees.T0),
          List.of(row("style", 0, 1)));
      SiteTrees.store(
          site,
          root,
          ref("soil-1", "odd"),
          byAgent("odd", "<b>x</b>"),
          List.of(row("style", 0, 1)));
      site.awaitPagesWritten(60_000);
    }

    String runPage = SiteTrees.read(root, "github-jobs/soil-1/index.html");
    assertThat(runPage)
        .contains(
            "<p class=\"agent\">ran by agent <a"
                + " href=\"../../coordinator/agents.html#agent-arm-box\">arm-box</a> of Soil's"
                + " coordinator</p>")
        .contains(
            "<a href=\"#job-unit\">unit</a> <span class=\"agent\">on <a"
                + " href=\"../../coordinator/agents.html#agent-arm-box\">arm-box</a></span>")
        .doesNotContain("#agent-<")
        .doesNotContain("<b>x</b>");
    assertThat(runPage.split("class=\"agent\"", -1)).hasSize(3);
    assertThat(SiteTrees.read(root, "github-jobs/raw.html"))
        .contains(
            "unit</a> <span class=\"agent\">on <a"
                + " href=\"../coordinator/agents.html#agent-arm-box\">arm-box</a></span>");
    assertThat(SiteTrees.read(root, "github-jobs/index.html"))
        .contains("title=\"unit: passed (0:03) on agent arm-box\"");
    assertThat(SiteTrees.read(root, "index.html"))
        .contains(
            "Jobs Soil runs itself: <a href=\"coordinator/\">queue</a> &middot; <a"
                + " href=\"coordinator/agents.html\">agents</a>");

    try (Site site = Site.open(settings())) {
      JobEntry entry = java.util.Objects.requireNonNull(site.index().job(unit));
      assertThat(java.util.Objects.requireNonNull(entry.stored()).agent()).isEqualTo("arm-box");
    }
  }
}
