package io.soilci.worker.workspace;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CacheKeyTest {
  private static WorkspaceConfig config(String ref, String setup, Map<String, String> env) {
    return new WorkspaceConfig(
        "w", List.of(new Repository("https://h/r.git", "r", ref)), setup, "img:1", env);
  }

  private static final WorkspaceConfig BASE = config("main", "make deps", Map.of("A", "1"));

  @Test
  void theSameConfigGivesTheSameKey() {
    assertThat(CacheKey.of(config("main", "make deps", Map.of("A", "1")), "podman"))
        .isEqualTo(CacheKey.of(BASE, "podman"))
        .hasSize(16);
  }

  @Test
  void aChangedRefNameSetupScriptEnvOrProviderGivesAnotherKey() {
    String key = CacheKey.of(BASE, "podman");

    assertThat(CacheKey.of(config("dev", "make deps", Map.of("A", "1")), "podman"))
        .isNotEqualTo(key);
    assertThat(CacheKey.of(config("main", "make deps2", Map.of("A", "1")), "podman"))
        .isNotEqualTo(key);
    assertThat(CacheKey.of(config("main", "make deps", Map.of("A", "2")), "podman"))
        .isNotEqualTo(key);
    assertThat(CacheKey.of(BASE, "local")).isNotEqualTo(key);
  }

  @Test
  void fieldsCannotBleedIntoEachOther() {
    WorkspaceConfig a = config("main", "x", Map.of("A", "1\nenv B=2"));
    WorkspaceConfig b = config("main", "x", Map.of("A", "1", "B", "2"));

    assertThat(CacheKey.of(a, "local")).isNotEqualTo(CacheKey.of(b, "local"));
  }
}
