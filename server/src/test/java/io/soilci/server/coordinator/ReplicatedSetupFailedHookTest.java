package io.soilci.server.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.soilci.server.hooks.HookSettings;
import io.soilci.server.hooks.Hooks;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * In the distributed mode the retry of a setup failure may be given to the next agent before the
 * replica that took the failure is back from waiting for it to be applied: the failure's hook and
 * answer still name the agent that failed, with its reason (CoordinatorIT saw {@code ws two} for
 * agent one's failure under load, on a single box, by the same reading of the job after the fact).
 */
class ReplicatedSetupFailedHookTest {
  @TempDir Path dir;

  private static Submission submission() throws Exception {
    return Submissions.of("{\"name\":\"ws\",\"tasks\":\"t ./t.sh x -\\n\"}");
  }

  private static CompletableFuture<Optional<ObjectNode>> poll(Coordinator c, String agent) {
    CompletableFuture<Optional<ObjectNode>> got = new CompletableFuture<>();
    c.poll(agent, Set.of(), 1, Duration.ofSeconds(30), "-", () -> true, got::complete);
    return got;
  }

  private static void awaitAgents(Coordinator c, int count) throws Exception {
    long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (c.agents().size() < count && System.nanoTime() < end) {
      Thread.sleep(10);
    }
    assertThat(c.agents()).hasSize(count);
  }

  @Test
  void theSetupFailedHookNamesTheAgentThatFailedEvenWhenTheRetryWasGivenOutFirst()
      throws Exception {
    Path out = dir.resolve("hooks.txt");
    HookSettings hooked =
        new HookSettings(
            Map.of(
                "job-setup-failed", "echo \"$SOIL_JOB $SOIL_AGENT $SOIL_STATUS_TEXT\" >> " + out),
            1,
            100,
            Duration.ofMinutes(1));
    MemoryReplication stream = new MemoryReplication();
    try (Hooks hooks = new Hooks(hooked);
        Coordinator c =
            Coordinator.replicated(
                stream,
                new CoordinatorSettings(100, 100, Duration.ofSeconds(60), 2, 100),
                Clock.systemUTC(),
                hooks,
                (j, f) -> {})) {
      long id = c.submit(submission(), "ci").path("jobs").get(0).path("id").asLong();
      Optional<ObjectNode> first = poll(c, "one").get(10, TimeUnit.SECONDS);
      assertThat(first.orElseThrow().path("id").asLong()).isEqualTo(id);
      CompletableFuture<Optional<ObjectNode>> two = poll(c, "two");
      awaitAgents(c, 2);

      // This thread wakes up only once the retry was given to "two".
      stream.holdNextAwaitOf(Thread.currentThread());
      ObjectNode answer = c.outcome("one", id, Outcome.SETUP_FAILED, 1, "no podman");

      assertThat(two.get(10, TimeUnit.SECONDS).orElseThrow().path("id").asLong()).isEqualTo(id);
      assertThat(HookLines.await(out, 1)).containsExactly("ws one no podman");
      assertThat(answer.path("state").asText()).isEqualTo("queued");
      assertThat(answer.path("agent").asText()).isEqualTo("one");
    }
  }

  @Test
  void aRetryWhoseOtherAgentsFellSilentIsEndedByTheHolderOfTheSiteRole() throws Exception {
    HandClock clock = new HandClock();
    MemoryReplication stream = new MemoryReplication();
    try (Hooks hooks = new Hooks(HookSettings.NONE);
        Coordinator c =
            Coordinator.replicated(
                stream,
                new CoordinatorSettings(100, 100, Duration.ofSeconds(60), 3, 100),
                clock,
                hooks,
                (j, f) -> {})) {
      // "two" heard, then gone (its connection closed): known, not waiting.
      c.poll("two", Set.of(), 1, Duration.ofSeconds(30), "-", () -> false, got -> {});
      long id = c.submit(submission(), "ci").path("jobs").get(0).path("id").asLong();
      Optional<ObjectNode> first = poll(c, "one").get(10, TimeUnit.SECONDS);
      assertThat(first.orElseThrow().path("id").asLong()).isEqualTo(id);
      awaitAgents(c, 2);
      c.outcome("one", id, Outcome.SETUP_FAILED, 1, "no podman");
      assertThat(c.job(id).path("state").asText()).isEqualTo("queued");

      clock.millis.addAndGet(61_000);
      CompletableFuture<Optional<ObjectNode>> again = poll(c, "one");

      long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (!c.job(id).path("state").asText().equals("setup-failed") && System.nanoTime() < end) {
        Thread.sleep(20);
      }
      assertThat(c.job(id).path("state").asText()).isEqualTo("setup-failed");
      assertThat(c.job(id).path("reason").asText())
          .isEqualTo(
              "setup failed on every agent that can take it (labels [], agents heard within"
                  + " 60 s): agent 'one': no podman");
      assertThat(again).isNotDone();
    }
  }
}
