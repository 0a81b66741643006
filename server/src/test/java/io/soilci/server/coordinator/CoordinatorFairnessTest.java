package io.soilci.server.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.soilci.server.hooks.HookSettings;
import io.soilci.server.hooks.Hooks;
import io.soilci.server.state.StateLayout;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Per-label queues: the least recently served queue an agent fits goes first; FIFO within one. */
class CoordinatorFairnessTest {
  @TempDir Path state;

  private static String job(String name, String labels) {
    return "{\"name\":\"" + name + "\",\"tasks\":\"t ./t.sh x -\\n\",\"labels\":[" + labels + "]}";
  }

  private static Submission submission(String... jobs) throws Exception {
    return Submissions.of(jobs);
  }

  /** Takes one job as agent {@code agent} (capacity high), answered at once. */
  private static String take(Coordinator c, String agent, Set<String> labels) throws Exception {
    AtomicReference<Optional<ObjectNode>> got = new AtomicReference<>();
    c.poll(agent, labels, 100, Duration.ofSeconds(30), "-", () -> true, got::set);
    Optional<ObjectNode> job = java.util.Objects.requireNonNull(got.get(), "a job for " + agent);
    return job.orElseThrow().path("job").path("name").asText();
  }

  @Test
  void aLongQueueOfOneLabelDoesNotStarveAnother() throws Exception {
    try (Hooks hooks = new Hooks(HookSettings.NONE);
        Coordinator c =
            Coordinator.open(
                new StateLayout(state),
                CoordinatorSettings.DEFAULTS,
                Clock.systemUTC(),
                hooks,
                (j, f) -> {})) {
      List<String> jobs = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        jobs.add(job("amd" + i, "\"amd64\""));
      }
      c.submit(submission(jobs.toArray(String[]::new)), "ci");
      c.submit(
          submission(job("arm0", "\"arm64\""), job("arm1", "\"arm64\""), job("any0", "")), "ci");

      List<String> order = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        order.add(take(c, "both", Set.of("amd64", "arm64")));
      }

      // Three queues (amd64, arm64, none) served in turn, each in submit order.
      assertThat(order).containsExactly("amd0", "arm0", "any0", "amd1", "arm1", "amd2");
      assertThat(take(c, "another", Set.of("arm64", "amd64"))).isEqualTo("amd3");
    }
  }

  @Test
  void anAgentOnlyGetsJobsWhoseLabelsItHasAll() throws Exception {
    try (Hooks hooks = new Hooks(HookSettings.NONE);
        Coordinator c =
            Coordinator.open(
                new StateLayout(state),
                CoordinatorSettings.DEFAULTS,
                Clock.systemUTC(),
                hooks,
                (j, f) -> {})) {
      c.submit(submission(job("both", "\"arm64\",\"big-mem\""), job("arm", "\"arm64\"")), "ci");

      assertThat(take(c, "small", Set.of("arm64"))).isEqualTo("arm");
      AtomicReference<Optional<ObjectNode>> none = new AtomicReference<>();
      c.poll("small", Set.of("arm64"), 100, Duration.ofSeconds(30), "-", () -> true, none::set);
      assertThat(none.get()).as("nothing fits 'small' now").isNull();
      assertThat(take(c, "big", Set.of("arm64", "big-mem", "x"))).isEqualTo("both");
    }
  }
}
