package io.soilci.server.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.soilci.server.hooks.HookSettings;
import io.soilci.server.hooks.Hooks;
import io.soilci.server.state.StateLayout;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A job whose setup failed on every agent that could take it ends as setup-failed with every
 * agent's reason, instead of waiting for an agent that may never come.
 */
class SetupFailedEverywhereTest {
  @TempDir Path state;

  private static Submission submission() throws Exception {
    return Submissions.of(
        "{\"name\":\"unit\",\"tasks\":\"t ./t.sh x -\\n\",\"labels\":[\"arm64\"]}");
  }

  /** Polls as {@code agent}; returns the job id it was given, or 0. */
  private static long poll(Coordinator c, String agent, Set<String> labels) {
    AtomicReference<Optional<ObjectNode>> got = new AtomicReference<>();
    c.poll(agent, labels, 1, Duration.ofSeconds(30), "-", () -> true, got::set);
    Optional<ObjectNode> job = got.get();
    return job == null ? 0 : job.orElseThrow().path("id").asLong();
  }

  @Test
  void endsOnceEveryLiveAgentWithItsLabelsFailedItsSetup() throws Exception {
    HandClock clock = new HandClock();
    try (Hooks hooks = new Hooks(HookSettings.NONE);
        Coordinator c =
            Coordinator.open(
                new StateLayout(state), CoordinatorSettings.DEFAULTS, clock, hooks, (j, f) -> {})) {
      // Heard long ago: not live. Another's labels: cannot take it.
      assertThat(poll(c, "gone", Set.of("x86"))).isZero();
      assertThat(poll(c, "amd", Set.of("amd64"))).isZero();
      clock.millis.addAndGet(120_000);
      long id = c.submit(submission(), "ci").path("jobs").get(0).path("id").asLong();
      assertThat(poll(c, "a", Set.of("arm64"))).isEqualTo(id);
      assertThat(poll(c, "b", Set.of("arm64", "big"))).isZero();

      c.outcome("a", id, Outcome.SETUP_FAILED, 1, "image missing: debian:trixie");
      assertThat(c.job(id).path("state").asText()).isEqualTo("running");
      assertThat(c.job(id).path("agent").asText()).isEqualTo("b");
      c.outcome("b", id, Outcome.SETUP_FAILED, 1, "no podman");

      ObjectNode ended = c.job(id);
      assertThat(ended.path("state").asText()).isEqualTo("setup-failed");
      assertThat(ended.path("attempts").asInt()).isEqualTo(2);
      assertThat(ended.path("reason").asText())
          .isEqualTo(
              "setup failed on every agent that can take it (labels [arm64], agents heard within"
                  + " 60 s): agent 'a': image missing: debian:trixie; agent 'b': no podman");
    }

    // The log keeps each agent's reason.
    try (Hooks hooks = new Hooks(HookSettings.NONE);
        Coordinator c =
            Coordinator.open(
                new StateLayout(state), CoordinatorSettings.DEFAULTS, clock, hooks, (j, f) -> {})) {
      assertThat(c.job(1).path("reason").asText()).contains("agent 'b': no podman");
    }
  }
}
