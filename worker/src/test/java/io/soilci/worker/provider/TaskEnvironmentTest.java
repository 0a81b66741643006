package io.soilci.worker.provider;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TaskEnvironmentTest {
  @Test
  void localTasksGetTheWorkersEnvironmentWithoutCredentials() {
    Map<String, String> worker =
        Map.of(
            "PATH", "/bin",
            "SOIL_TOKEN", "s1",
            "GITHUB_TOKEN", "s2",
            "AWS_SECRET_ACCESS_KEY", "s3",
            "db_password", "s4",
            "GITHUB_RUN_ID", "42");

    Map<String, String> env = TaskEnvironment.local(worker, List.of());

    assertThat(env).containsOnlyKeys("PATH", "GITHUB_RUN_ID");
  }

  @Test
  void aVariableTheJobNamesIsPassedEvenIfItLooksLikeACredential() {
    Map<String, String> env =
        TaskEnvironment.local(Map.of("NPM_TOKEN", "t", "SOIL_TOKEN", "s"), List.of("NPM_TOKEN"));

    assertThat(env).containsOnlyKeys("NPM_TOKEN");
  }
}
