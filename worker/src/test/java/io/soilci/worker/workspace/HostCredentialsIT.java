package io.soilci.worker.workspace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A workspace cloned over real HTTP from {@code git http-backend} that demands a token: the host's
 * token opens it, and no file of the cache, the workspace or the setup's environment holds it.
 */
class HostCredentialsIT {
  private static final String SECRET = "s3cr3t-" + UUID.randomUUID();

  @TempDir Path tmp;
  private GitFixture origin;
  private GitHttpServer server;

  @BeforeEach
  void serveTheOriginBehindAToken() throws IOException {
    origin = GitFixture.create(tmp.resolve("git"));
    server = new GitHttpServer(tmp.resolve("git"), SECRET);
  }

  @AfterEach
  void stopServer() {
    server.close();
  }

  private Workspaces workspaces(Map<String, String> extraEnv) {
    Map<String, String> env = new HashMap<>(System.getenv());
    env.putAll(extraEnv);
    HostEnvironment host = new HostEnvironment(env);
    return new Workspaces(tmp.resolve("cache"), new LocalSetup(host), host, line -> {});
  }

  private WorkspaceConfig config() {
    return new WorkspaceConfig(
        "private",
        List.of(new Repository(server.url("origin.git"), "src", "main")),
        "env > setup-env.txt",
        null,
        Map.of());
  }

  @Test
  void theHostTokenClonesAndFetchesButNoWorkspaceFileHoldsIt() throws IOException {
    Workspaces workspaces = workspaces(Map.of(HostEnvironment.GIT_TOKEN, SECRET));
    workspaces.prepare(config());
    String second = origin.commit("NEWS", "second\n");

    try (Lease lease = workspaces.open(config(), "job")) {
      assertThat(lease.dir().resolve("src/NEWS")).hasContent("second");
      assertThat(lease.preparation().commits()).containsEntry("src", second);
      assertThat(lease.dir().resolve("setup-env.txt")).exists();
      assertThat(GitFixture.git(lease.dir().resolve("src"), "remote", "get-url", "origin").strip())
          .isEqualTo(server.url("origin.git"));
    }

    assertThat(SecretSearch.filesHolding(tmp.resolve("cache"), SECRET)).isEmpty();
  }

  @Test
  void withoutTheTokenTheCloneIsRefusedWithGitsReason() {
    Workspaces workspaces = workspaces(Map.of());

    assertThatThrownBy(() -> workspaces.prepare(config()))
        .isInstanceOf(WorkspaceFailure.class)
        .hasMessageStartingWith("git fetch exited with status 128: fatal: could not read Username");
  }

  @Test
  void theSetupScriptDoesNotGetTheToken() throws IOException {
    Workspaces workspaces = workspaces(Map.of(HostEnvironment.GIT_TOKEN, SECRET));

    workspaces.prepare(config());

    try (var dirs = Files.list(tmp.resolve("cache"))) {
      Path entry = dirs.filter(Files::isDirectory).findFirst().orElseThrow();
      String env = Files.readString(entry.resolve("prepared/setup-env.txt"));
      assertThat(env).contains("PATH=").doesNotContain(SECRET).doesNotContain("SOIL_GIT_TOKEN");
    }
  }
}
