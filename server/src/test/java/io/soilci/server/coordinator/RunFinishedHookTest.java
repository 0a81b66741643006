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

/** The coordinator fires a submitted run's run-finished once every job of it has ended. */
class RunFinishedHookTest {
  @TempDir Path dir;

  private static Submission submission(String... names) throws Exception {
    StringBuilder jobs = new StringBuilder();
    for (String name : names) {
      jobs.append(jobs.length() == 0 ? "" : ",")
          .append("{\"name\":\"")
          .append(name)
          .append("\",\"tasks\":\"t ./t.sh x -\\n\"}");
    }
    return Submission.parse(
        QueueLog.JSON.readTree(
            "{\"commit\":\""
                + "a".repeat(40)
                + "\",\"repository\":\"/repo\",\"jobs\":["
                + jobs
                + "]}"),
        1000);
  }

  private static long take(Coordinator c) {
    AtomicReference<Optional<ObjectNode>> got = new AtomicReference<>();
    c.poll("x", Set.of(), 5, Duration.ofSeconds(30), "-", () -> true, got::set);
    return java.util.Objects.requireNonNull(got.get()).orElseThrow().path("id").asLong();
  }

  @Test
  void firesOnceWhenTheLastJobOfTheRunEnds() throws Exception {
    Path out = dir.resolve("hooks.txt");
    HookSettings hooked =
        new HookSettings(
            Map.of(
                "run-finished",
                "echo \"run $SOIL_RUN $SOIL_STATUS $SOIL_JOBS $SOIL_STATUS_TEXT\" >> " + out,
                "job-cancelled",
                "echo \"cancelled $SOIL_JOB\" >> " + out),
            1,
            100,
            Duration.ofMinutes(1));
    try (Hooks hooks = new Hooks(hooked);
        Coordinator c =
            Coordinator.open(
                new StateLayout(dir.resolve("state")),
                CoordinatorSettings.DEFAULTS,
                java.time.Clock.systemUTC(),
                hooks,
                (j, f) -> {})) {
      c.submit(submission("a", "b", "c"), "ci");
      c.outcome("x", take(c), Outcome.PASSED, 0, "");
      c.outcome("x", take(c), Outcome.FAILED, 2, "");
      c.submit(submission("other"), "ci");
      assertThat(
              c.ownsRun(
                  new io.soilci.result.JobRef(
                      io.soilci.result.WorkerHost.GITHUB,
                      new io.soilci.result.RunId("soil-1"),
                      new io.soilci.result.JobName("a"))))
          .isTrue();

      c.cancel(3, "ci");

      assertThat(HookLines.await(out, 2))
          .containsExactly("cancelled c", "run soil-1 2 3 1 cancelled, 1 failed, 1 passed");
    }
  }
}
