package io.soilci.worker.workspace;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The podman provider's workspaces with real podman and the busybox test image: the setup runs in a
 * container and is committed to an image, the job's container starts from it.
 */
class PodmanWorkspaceIT {
  private static final String SECRET = "s3cr3t-" + UUID.randomUUID();
  private static final String SETUP =
      "mkdir -p /opt/tool && echo tool-1 > /opt/tool/version && echo \"$GREETING\" > deps.txt";

  @TempDir Path tmp;
  private GitFixture origin;
  private GitHttpServer server;
  private final List<String> progress = new CopyOnWriteArrayList<>();
  private Workspaces workspaces;
  private final String name = "podman-it-" + UUID.randomUUID().toString().substring(0, 8);

  @BeforeEach
  void createOriginAndCache() throws IOException {
    origin = GitFixture.create(tmp.resolve("git"));
    server = new GitHttpServer(tmp.resolve("git"), SECRET);
    Map<String, String> env = new HashMap<>(System.getenv());
    env.put(HostEnvironment.GIT_TOKEN, SECRET);
    HostEnvironment host = new HostEnvironment(env);
    workspaces =
        new Workspaces(
            tmp.resolve("cache"),
            new ContainerSetup("podman", "podman", host),
            host,
            progress::add);
  }

  @AfterEach
  void removeImages() {
    workspaces.remove(config(SETUP));
    workspaces.remove(config(SETUP + " && echo 2 > /opt/tool/version"));
    server.close();
  }

  private WorkspaceConfig config(String setup) {
    return new WorkspaceConfig(
        name,
        List.of(new Repository(server.url("origin.git"), "src", "main")),
        setup,
        Podman.testImage(),
        Map.of("GREETING", "hello"));
  }

  private static String runIn(Lease lease, String script) throws IOException {
    return Podman.run(
        "run",
        "--rm",
        "--network=none",
        "-v",
        lease.dir() + ":" + lease.mountPoint(),
        "-w",
        lease.mountPoint(),
        String.valueOf(lease.image()),
        "sh",
        "-c",
        script);
  }

  @Test
  void theJobStartsFromTheCommittedSetupWithTheCheckoutMounted() throws IOException {
    String seen;
    try (Lease lease = workspaces.open(config(SETUP), "job1")) {
      seen = runIn(lease, "cat /opt/tool/version deps.txt src/README");

      assertThat(lease.image())
          .isEqualTo("localhost/soil-workspace-" + name + ":" + lease.preparation().key());
      assertThat(lease.preparation().cacheHit()).isFalse();
    }

    assertThat(seen).isEqualTo("tool-1\nhello\nfirst\n");
  }

  @Test
  void aSecondJobIsACacheHitAndANewCommitIsFetchedIntoIt() throws IOException {
    workspaces.prepare(config(SETUP));
    String imageId =
        Podman.run(
            "image",
            "inspect",
            "--format",
            "{{.Id}}",
            "localhost/soil-workspace-" + name + ":" + CacheKey.of(config(SETUP), "podman"));
    origin.commit("NEWS", "second\n");
    progress.clear();

    try (Lease lease = workspaces.open(config(SETUP), "job2")) {
      assertThat(lease.preparation().cacheHit()).isTrue();
      assertThat(runIn(lease, "cat /opt/tool/version src/NEWS")).isEqualTo("tool-1\nsecond\n");
      assertThat(
              Podman.run("image", "inspect", "--format", "{{.Id}}", String.valueOf(lease.image())))
          .isEqualTo(imageId);
    }
    assertThat(progress)
        .noneMatch(line -> line.startsWith("running setup") || line.startsWith("cloning"));
  }

  @Test
  void aChangedSetupScriptBuildsANewImage() throws IOException {
    workspaces.prepare(config(SETUP));

    try (Lease lease = workspaces.open(config(SETUP + " && echo 2 > /opt/tool/version"), "job")) {
      assertThat(lease.preparation().cacheHit()).isFalse();
      assertThat(runIn(lease, "cat /opt/tool/version")).isEqualTo("2\n");
    }
  }

  @Test
  void aCommittedImageThatIsGoneMakesTheEntryStale() throws IOException {
    Preparation first = workspaces.prepare(config(SETUP));
    Podman.run("rmi", String.valueOf(first.image()));

    Preparation again = workspaces.prepare(config(SETUP));

    assertThat(again.cacheHit()).isFalse();
    assertThat(progress).anyMatch(line -> line.contains("is gone): preparing it again"));
  }

  @Test
  void theTokenIsInNoWorkspaceFileNorTheImageNorTheJobsEnvironment() throws IOException {
    try (Lease lease =
        workspaces.open(config(SETUP + " && env > /workspace/setup-env.txt"), "job")) {
      String inspect = Podman.run("image", "inspect", String.valueOf(lease.image()));
      String jobEnv = runIn(lease, "env; cat /workspace/setup-env.txt");

      assertThat(SecretSearch.holds(inspect, SECRET)).isFalse();
      assertThat(SecretSearch.holds(jobEnv, SECRET)).isFalse();
      assertThat(jobEnv).contains("GREETING=hello");
    }
    assertThat(SecretSearch.filesHolding(tmp.resolve("cache"), SECRET)).isEmpty();
    workspaces.remove(config(SETUP + " && env > /workspace/setup-env.txt"));
  }
}
