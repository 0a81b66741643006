package io.soilci.server.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
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
 * A container job's results are reused only when its image is named by digest: a tag may name
 * another image tomorrow, so a job named by tag alone runs every time.
 */
class ImageDigestReuseTest {
  private static final String DIGEST = "sha256:" + "ab".repeat(32);

  @TempDir Path dir;

  private static Submission submission(String image) throws Exception {
    return Submission.parse(
        QueueLog.JSON.readTree(
            "{\"commit\":\""
                + "a".repeat(40)
                + "\",\"tree\":\""
                + "b".repeat(40)
                + "\",\"repository\":\"/repo\",\"jobs\":[{\"name\":\"unit\",\"provider\":\"podman\","
                + "\"image\":\""
                + image
                + "\",\"tasks\":\"t ./t.sh x -\\n\"}]}"),
        1000);
  }

  private static long take(Coordinator c) {
    AtomicReference<Optional<ObjectNode>> got = new AtomicReference<>();
    c.poll("x", Set.of(), 5, Duration.ofSeconds(30), "-", () -> true, got::set);
    return java.util.Objects.requireNonNull(got.get()).orElseThrow().path("id").asLong();
  }

  /** Submits {@code image}'s job twice, the first passing; the second submit's job. */
  private JsonNode secondOfTwo(String image, String state) throws Exception {
    try (Hooks hooks = new Hooks(new HookSettings(Map.of(), 1, 100, Duration.ofMinutes(1)));
        Coordinator c =
            Coordinator.open(
                new StateLayout(dir.resolve(state)),
                CoordinatorSettings.DEFAULTS,
                java.time.Clock.systemUTC(),
                hooks,
                (j, f) -> {})) {
      c.submit(submission(image), "ci");
      c.outcome("x", take(c), Outcome.PASSED, 0, "");
      return c.submit(submission(image), "ci").path("jobs").get(0);
    }
  }

  @Test
  void aJobWhoseImageIsNamedByTagRunsAgainAndSaysWhy() throws Exception {
    JsonNode second = secondOfTwo("debian:bookworm", "tag");
    assertThat(second.path("state").asText()).isEqualTo("queued");
    assertThat(second.has("inputKey")).isFalse();
    assertThat(second.path("notReusable").asText())
        .contains("named by tag")
        .contains("IMAGE@sha256:DIGEST");
  }

  @Test
  void aJobWhoseImageIsNamedByDigestIsReused() throws Exception {
    JsonNode second = secondOfTwo("debian:bookworm@" + DIGEST, "digest");
    assertThat(second.path("state").asText()).isEqualTo("reused");
    assertThat(second.path("inputKey").asText()).hasSize(64);
    assertThat(second.has("notReusable")).isFalse();
  }

  @Test
  void anotherDigestIsAnotherInput() throws Exception {
    JobSpec one = submission("debian@" + DIGEST).jobs().get(0);
    JobSpec other = submission("debian@sha256:" + "cd".repeat(32)).jobs().get(0);
    assertThat(InputKey.of("t", one)).isNotNull().isNotEqualTo(InputKey.of("t", other));
    assertThat(InputKey.of("t", submission("debian@sha256:short").jobs().get(0))).isNull();
  }
}
