package io.soilci.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** soil-scripts/host-shim.sh prepare-image with real podman. */
class HostShimIT {
  @TempDir Path tmp;

  private static Map<String, String> podmanEnv() {
    String conf = System.getenv("CONTAINERS_CONF");
    return conf == null ? Map.of() : Map.of("CONTAINERS_CONF", conf);
  }

  @Test
  void importsARootfsTarballAndRecordsTheTimeAsTimeP() throws Exception {
    Path rootfs = Files.createDirectories(tmp.resolve("rootfs/bin"));
    Files.copy(Path.of("/bin/busybox"), rootfs.resolve("busybox"));
    Files.createSymbolicLink(rootfs.resolve("sh"), Path.of("busybox"));
    Processes.Result tar =
        Processes.run(
            tmp,
            Map.of(),
            60,
            "tar",
            "-C",
            tmp.resolve("rootfs").toString(),
            "-cf",
            "rootfs.tar",
            ".");
    assertThat(tar.exit()).as(tar.output()).isEqualTo(0);
    String image = "localhost/soil-e2e-shim:" + UUID.randomUUID().toString().substring(0, 8);
    Path work = Files.createDirectories(tmp.resolve("work"));
    try {
      Processes.Result prepared =
          Processes.run(
              work,
              podmanEnv(),
              120,
              Repo.ROOT.resolve("soil-scripts/host-shim.sh").toString(),
              "prepare-image",
              "podman",
              image,
              tmp.resolve("rootfs.tar").toString());

      assertThat(prepared.exit()).as(prepared.output()).isEqualTo(0);
      assertThat(Files.readString(work.resolve("_tmp/soil/image-pull-time.txt")))
          .matches("real \\d+\\.\\d\\d\nuser 0\\.00\nsys 0\\.00\n");
      Processes.Result ran =
          Processes.run(
              work,
              podmanEnv(),
              60,
              "podman",
              "run",
              "--rm",
              "--network=none",
              image,
              "/bin/sh",
              "-c",
              "echo inside");
      assertThat(ran.output()).contains("inside");
    } finally {
      Processes.run(work, podmanEnv(), 60, "podman", "rmi", "-f", image);
    }
  }

  @Test
  void saysWhichImageItCouldNotGet() throws Exception {
    Processes.Result result =
        Processes.run(
            tmp,
            podmanEnv(),
            60,
            Repo.ROOT.resolve("soil-scripts/host-shim.sh").toString(),
            "prepare-image",
            "podman",
            "localhost/soil-no-such-image:1");

    assertThat(result.exit()).isEqualTo(1);
    assertThat(result.output())
        .containsPattern(
            "soil: cannot get image localhost/soil-no-such-image:1 with podman \\(exit \\d+\\); check the name and the registry");
  }
}
