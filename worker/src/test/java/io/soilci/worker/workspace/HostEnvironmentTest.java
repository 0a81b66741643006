package io.soilci.worker.workspace;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HostEnvironmentTest {
  private final HostEnvironment host =
      new HostEnvironment(
          Map.of(
              "PATH", "/usr/bin:/bin",
              "HOME", "/home/ci",
              "SOIL_GIT_TOKEN", "tok",
              "SOIL_GIT_SSH_KEY", "/keys/id",
              "AWS_SECRET", "aws",
              "GIT_CONFIG_COUNT", "3"));

  @Test
  void gitGetsTheTokenAsAHeaderScopedToTheRepositoryUrl() {
    Map<String, String> env = host.forGit("https://h/r.git");

    String basic =
        Base64.getEncoder().encodeToString("x-access-token:tok".getBytes(StandardCharsets.UTF_8));
    assertThat(env)
        .containsEntry("GIT_CONFIG_COUNT", "1")
        .containsEntry("GIT_CONFIG_KEY_0", "http.https://h/r.git.extraHeader")
        .containsEntry("GIT_CONFIG_VALUE_0", "Authorization: Basic " + basic)
        .containsEntry(
            "GIT_SSH_COMMAND", "ssh -o BatchMode=yes -i '/keys/id' -o IdentitiesOnly=yes")
        .containsEntry("GIT_TERMINAL_PROMPT", "0")
        .doesNotContainKeys("SOIL_GIT_TOKEN", "SOIL_GIT_SSH_KEY");
  }

  @Test
  void toolsGetEverythingButTheGitCredentials() {
    assertThat(host.forTools())
        .containsEntry("PATH", "/usr/bin:/bin")
        .doesNotContainKeys("SOIL_GIT_TOKEN", "SOIL_GIT_SSH_KEY");
  }

  @Test
  void aLocalSetupScriptGetsOnlyHarmlessVariablesAndItsOwn() {
    Map<String, String> env = host.forSetup(Path.of("/ws"), Map.of("LANG", "C.UTF-8"));

    assertThat(env)
        .containsOnlyKeys("PATH", "HOME", "LANG", "SOIL_WORKSPACE")
        .containsEntry("SOIL_WORKSPACE", "/ws");
  }

  @Test
  void withoutCredentialsGitGetsNoHeader() {
    Map<String, String> env = new HostEnvironment(Map.of("PATH", "/bin")).forGit("https://h/r");

    assertThat(env).doesNotContainKeys("GIT_CONFIG_COUNT", "GIT_SSH_COMMAND");
  }
}
