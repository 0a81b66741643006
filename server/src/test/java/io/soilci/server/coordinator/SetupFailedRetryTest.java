package io.soilci.server.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.soilci.server.hooks.HookSettings;
import io.soilci.server.hooks.Hooks;
import io.soilci.server.state.StateLayout;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A job whose setup failed on an agent goes to another agent that has not failed it, while one is
 * live; it never goes back to one that failed it, and it does not wait for ever once no other agent
 * is left.
 */
class SetupFailedRetryTest {
  private static final CoordinatorSettings SETTINGS =
      new CoordinatorSettings(100, 100, Duration.ofSeconds(60), 3, 100);

  @TempDir Path dir;

  private static Submission submission() throws Exception {
    return Submissions.of("{\"name\":\"ws\",\"tasks\":\"t ./t.sh x -\\n\"}");
  }

  /** An agent's poll: its answer once it came (null while it waits). */
  private static AtomicReference<Optional<ObjectNode>> poll(
      Coordinator c, String agent, Duration wait) {
    AtomicReference<Optional<ObjectNode>> got = new AtomicReference<>();
    c.poll(agent, Set.of(), 1, wait, "-", () -> true, got::set);
    return got;
  }

  /** An agent heard, gone again at once (its connection closed): known, not waiting. */
  private static void heard(Coordinator c, String agent) {
    c.poll(agent, Set.of(), 1, Duration.ofSeconds(30), "-", () -> false, got -> {});
  }

  private static long given(AtomicReference<Optional<ObjectNode>> poll) {
    Optional<ObjectNode> job = poll.get();
    return job == null || job.isEmpty() ? 0 : job.get().path("id").asLong();
  }

  private Coordinator open(HandClock clock, Hooks hooks) throws Exception {
    return Coordinator.open(
        new StateLayout(dir.resolve("state")), SETTINGS, clock, hooks, (j, f) -> {});
  }

  private Hooks hooksTo(Path out) {
    return new Hooks(
        new HookSettings(
            Map.of(
                "job-setup-failed",
                "echo \"$SOIL_AGENT $SOIL_STATUS_TEXT\" >> " + out,
                "run-finished",
                "echo \"run $SOIL_STATUS_TEXT\" >> " + out),
            1,
            100,
            Duration.ofMinutes(1)));
  }

  private static String awaitState(Coordinator c, long id, String state) throws Exception {
    long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!c.job(id).path("state").asText().equals(state) && System.nanoTime() < end) {
      Thread.sleep(20);
    }
    return c.job(id).path("state").asText();
  }

  @Test
  void theRetryWaitsForTheOtherLiveAgentWhileTheOneThatFailedItPollsAgain() throws Exception {
    HandClock clock = new HandClock();
    try (Hooks hooks = new Hooks(HookSettings.NONE);
        Coordinator c = open(clock, hooks)) {
      // "two" is known and live, but busy: it was heard, and is not waiting now.
      heard(c, "two");
      long id = c.submit(submission(), "ci").path("jobs").get(0).path("id").asLong();
      assertThat(given(poll(c, "one", Duration.ofSeconds(30)))).isEqualTo(id);

      c.outcome("one", id, Outcome.SETUP_FAILED, 1, "no podman");
      AtomicReference<Optional<ObjectNode>> again = poll(c, "one", Duration.ofSeconds(30));

      assertThat(given(again)).isZero();
      assertThat(c.job(id).path("state").asText()).isEqualTo("queued");
    }

    // The queue log keeps who failed it: after a restart it still waits for "two".
    try (Hooks hooks = new Hooks(HookSettings.NONE);
        Coordinator c = open(clock, hooks)) {
      assertThat(given(poll(c, "one", Duration.ofSeconds(30)))).isZero();
      assertThat(given(poll(c, "two", Duration.ofSeconds(30)))).isEqualTo(1);
      assertThat(c.job(1).path("agent").asText()).isEqualTo("two");
      assertThat(c.job(1).path("attempts").asInt()).isEqualTo(2);
    }
  }

  @Test
  void theOutcomeAnswerAndItsHookShowTheJobAsTheSetupFailureLeftIt() throws Exception {
    Path out = dir.resolve("hooks.txt");
    HandClock clock = new HandClock();
    try (Hooks hooks = hooksTo(out);
        Coordinator c = open(clock, hooks)) {
      long id = c.submit(submission(), "ci").path("jobs").get(0).path("id").asLong();
      assertThat(given(poll(c, "one", Duration.ofSeconds(30)))).isEqualTo(id);
      AtomicReference<Optional<ObjectNode>> two = poll(c, "two", Duration.ofSeconds(30));

      ObjectNode answer = c.outcome("one", id, Outcome.SETUP_FAILED, 1, "no podman");

      // The answer is the job as this outcome left it, not as the next agent took it since.
      assertThat(answer.path("state").asText()).isEqualTo("queued");
      assertThat(answer.path("agent").asText()).isEqualTo("one");
      assertThat(answer.path("reason").asText()).isEqualTo("no podman");
      assertThat(given(two)).isEqualTo(id);
      assertThat(HookLines.await(out, 1)).containsExactly("one no podman");
    }
  }

  @Test
  void aRetryWhoseOtherAgentsFellSilentEndsAsSetupFailedInsteadOfWaitingForEver() throws Exception {
    Path out = dir.resolve("hooks.txt");
    HandClock clock = new HandClock();
    try (Hooks hooks = hooksTo(out);
        Coordinator c = open(clock, hooks)) {
      heard(c, "two");
      long id = c.submit(submission(), "ci").path("jobs").get(0).path("id").asLong();
      assertThat(given(poll(c, "one", Duration.ofSeconds(30)))).isEqualTo(id);
      c.outcome("one", id, Outcome.SETUP_FAILED, 1, "no podman");
      assertThat(c.job(id).path("state").asText()).isEqualTo("queued");

      // "two" is not heard again; "one" keeps asking for work, and must not get the job.
      clock.millis.addAndGet(61_000);
      AtomicReference<Optional<ObjectNode>> again = poll(c, "one", Duration.ofSeconds(30));

      assertThat(awaitState(c, id, "setup-failed")).isEqualTo("setup-failed");
      assertThat(given(again)).isZero();
      ObjectNode ended = c.job(id);
      assertThat(ended.path("attempts").asInt()).isEqualTo(1);
      assertThat(ended.path("reason").asText())
          .isEqualTo(
              "setup failed on every agent that can take it (labels [], agents heard within"
                  + " 60 s): agent 'one': no podman");
      assertThat(HookLines.await(out, 2)).containsExactly("one no podman", "run 1 setup-failed");
    }

    // Written to the log: it stays ended after a restart.
    try (Hooks hooks = new Hooks(HookSettings.NONE);
        Coordinator c = open(clock, hooks)) {
      assertThat(c.job(1).path("state").asText()).isEqualTo("setup-failed");
    }
  }

  @Test
  void anAgentWaitingInALongPollCountsAsLive() throws Exception {
    HandClock clock = new HandClock();
    try (Hooks hooks = new Hooks(HookSettings.NONE);
        Coordinator c = open(clock, hooks)) {
      long id = c.submit(submission(), "ci").path("jobs").get(0).path("id").asLong();
      assertThat(given(poll(c, "one", Duration.ofSeconds(30)))).isEqualTo(id);
      // Asked for work longer ago than a lease, and is still waiting for it.
      AtomicReference<Optional<ObjectNode>> two = poll(c, "two", Duration.ofSeconds(300));
      clock.millis.addAndGet(50_000);
      c.heartbeat("one", id);
      clock.millis.addAndGet(20_000);

      c.outcome("one", id, Outcome.SETUP_FAILED, 1, "no podman");

      assertThat(given(two)).isEqualTo(id);
      assertThat(c.job(id).path("state").asText()).isEqualTo("running");
      assertThat(c.job(id).path("attempts").asInt()).isEqualTo(2);
    }
  }
}
