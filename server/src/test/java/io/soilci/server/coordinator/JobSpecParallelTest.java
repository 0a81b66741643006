package io.soilci.server.coordinator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.soilci.result.BadInput;
import org.junit.jupiter.api.Test;

/** A job's {@code parallel}: passed to its agent's run-job, checked, not part of its inputs. */
class JobSpecParallelTest {
  private static JobSpec spec(String extra) throws Exception {
    return JobSpec.parse(
        QueueLog.JSON.readTree("{\"name\":\"unit\",\"tasks\":\"t ./t.sh x -\\n\"" + extra + "}"),
        "jobs[0]");
  }

  @Test
  void goesToTheAgentAndLeavesTheInputKeyAlone() throws Exception {
    JobSpec wide = spec(",\"parallel\":4");

    assertThat(wide.parallel()).isEqualTo(4);
    assertThat(wide.toJson().path("parallel").asInt()).isEqualTo(4);
    assertThat(spec("").parallel()).isEqualTo(1);
    assertThat(spec("").toJson().has("parallel")).isFalse();
    assertThat(InputKey.of("a".repeat(40), wide)).isEqualTo(InputKey.of("a".repeat(40), spec("")));
    assertThat(JobSpec.parse(wide.toJson(), "log").parallel()).isEqualTo(4);
  }

  @Test
  void outOfRangeIsRefusedNamingTheJob() {
    assertThatThrownBy(() -> spec(",\"parallel\":0"))
        .isInstanceOf(BadInput.class)
        .hasMessage(
            "jobs[0] (unit).parallel '0' must be 1-64: the tasks run at once (run-job --parallel)");
    assertThatThrownBy(() -> spec(",\"parallel\":\"2\""))
        .hasMessageContaining(".parallel '\"2\"' must be 1-64");
  }
}
