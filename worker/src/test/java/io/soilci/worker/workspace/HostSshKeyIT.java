package io.soilci.worker.workspace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A workspace cloned over ssh:// from a real sshd with the host's key: the key opens it, and no
 * workspace file nor the setup's environment holds the key or its path.
 */
class HostSshKeyIT {
  @TempDir Path tmp;
  private GitFixture origin;
  private SshServer sshd;

  @BeforeEach
  void startSshd() throws Exception {
    origin = GitFixture.create(tmp.resolve("git"));
    sshd = SshServer.start(tmp.resolve("sshd"));
  }

  @AfterEach
  void stopSshd() throws InterruptedException {
    sshd.close();
  }

  private Workspaces workspaces(boolean withKey) {
    Map<String, String> env = new HashMap<>(System.getenv());
    env.put(HostEnvironment.GIT_SSH_KNOWN_HOSTS, sshd.knownHosts().toString());
    if (withKey) {
      env.put(HostEnvironment.GIT_SSH_KEY, sshd.clientKey().toString());
    }
    HostEnvironment host = new HostEnvironment(env);
    return new Workspaces(tmp.resolve("cache"), new LocalSetup(host), host, line -> {});
  }

  private WorkspaceConfig config() {
    return new WorkspaceConfig(
        "over-ssh",
        List.of(new Repository(sshd.url(origin.bare()), "src", "main")),
        "env > setup-env.txt",
        null,
        Map.of());
  }

  @Test
  void theHostKeyClonesAndFetchesButNoWorkspaceFileHoldsIt() throws IOException {
    Workspaces workspaces = workspaces(true);
    workspaces.prepare(config());
    origin.commit("NEWS", "second\n");

    try (Lease lease = workspaces.open(config(), "job")) {
      assertThat(lease.dir().resolve("src/NEWS")).hasContent("second");
      assertThat(lease.dir().resolve("setup-env.txt"))
          .content()
          .doesNotContain(sshd.clientKey().toString())
          .doesNotContain("SOIL_GIT_SSH");
    }
    String keyBody = Files.readAllLines(sshd.clientKey()).get(1);
    assertThat(SecretSearch.filesHolding(tmp.resolve("cache"), keyBody)).isEmpty();
    assertThat(SecretSearch.filesHolding(tmp.resolve("cache"), sshd.clientKey().toString()))
        .isEmpty();
  }

  @Test
  void withoutTheKeyTheServerRefusesTheClone() {
    Workspaces workspaces = workspaces(false);

    assertThatThrownBy(() -> workspaces.prepare(config()))
        .isInstanceOf(WorkspaceFailure.class)
        .hasMessageStartingWith("git fetch exited with status 128: ")
        .hasMessageContaining("@127.0.0.1: Permission denied (publickey");
  }
}
