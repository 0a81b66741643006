package io.soilci.server.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.soilci.server.hooks.HookSettings;
import io.soilci.server.hooks.Hooks;
import io.soilci.server.state.StateLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The queue and agents pages: who runs what, what waits, what was reused and from where. */
class CoordinatorPagesTest {
  @TempDir Path state;

  private static Submission submission(String tree, String... names) throws Exception {
    StringBuilder jobs = new StringBuilder();
    for (String name : names) {
      jobs.append(jobs.length() == 0 ? "" : ",")
          .append("{\"name\":\"")
          .append(name)
          .append("\",\"tasks\":\"t ./t.sh x -\\n\",\"labels\":[\"arm64\"]}");
    }
    return Submission.parse(
        QueueLog.JSON.readTree(
            "{\"commit\":\""
                + "c".repeat(40)
                + "\",\"tree\":\""
                + tree
                + "\",\"repository\":\"/repo\",\"jobs\":["
                + jobs
                + "]}"),
        1000);
  }

  @Test
  void showTheRunningJobsAgentsTheQueueAndWhereAReusedResultCameFrom() throws Exception {
    try (Hooks hooks = new Hooks(HookSettings.NONE);
        Coordinator c =
            Coordinator.open(
                new StateLayout(state),
                CoordinatorSettings.DEFAULTS,
                Clock.systemUTC(),
                hooks,
                (j, f) -> {})) {
      c.submit(submission("a".repeat(40), "unit", "lint", "docs"), "ci");
      AtomicReference<Optional<ObjectNode>> got = new AtomicReference<>();
      c.poll(
          "arm-box", Set.of("arm64"), 2, Duration.ofSeconds(30), "127.0.0.1", () -> true, got::set);
      long unit = java.util.Objects.requireNonNull(got.get()).orElseThrow().path("id").asLong();
      c.outcome("arm-box", unit, Outcome.PASSED, 0, "");
      c.poll(
          "arm-box", Set.of("arm64"), 2, Duration.ofSeconds(30), "127.0.0.1", () -> true, got::set);
      c.submit(submission("a".repeat(40), "unit"), "ci");

      String queue =
          new String(CoordinatorPages.queue(c.jobs(), c.agents().size()), StandardCharsets.UTF_8);
      String agents =
          new String(CoordinatorPages.agents(c.agents(), c.jobs()), StandardCharsets.UTF_8);

      assertThat(queue)
          .contains("1 queued &middot; 1 running")
          .contains("<a href=\"agents.html#agent-arm-box\">arm-box</a>")
          .contains(
              "reused from <a href=\"../github-jobs/soil-1/index.html#job-unit\">github-jobs/soil-1/unit</a>")
          .contains("<a href=\"../github-jobs/soil-2/index.html\">soil-2</a>");
      assertThat(agents)
          .contains("<tr id=\"agent-arm-box\"><td>arm-box</td><td><span class=\"tag\">arm64</span>")
          .contains("<td class=\"num\">2</td>")
          .contains("soil-1/lint");
    }
  }
}
