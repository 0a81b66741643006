package io.soilci.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** deploy/: the systemd unit verifies, and install.sh makes a server a worker can publish to. */
class DeployIT {
  @TempDir Path tmp;

  @Test
  void theSystemdUnitVerifiesAndWritesOnlyTheSiteAndState() throws Exception {
    Path unit = Repo.ROOT.resolve("deploy/soil-server.service");

    Processes.Result verify =
        Processes.run(tmp, Map.of(), 60, "systemd-analyze", "verify", unit.toString());

    assertThat(verify.exit()).as(verify.output()).isEqualTo(0);
    assertThat(Files.readAllLines(unit))
        .contains(
            "User=soil",
            "NoNewPrivileges=yes",
            "ProtectSystem=strict",
            "ReadWritePaths=/srv/soil/site /var/lib/soil",
            "ProtectHome=yes",
            "PrivateTmp=yes",
            // serve through the launcher (its AppCDS archive), as quickstart.sh and the container
            "Environment=SOIL_SERVER_JAR=/opt/soil/soil-server.jar SOIL_SERVER_JAVA_OPTS=-Xmx512m",
            "ExecStart=/bin/sh /opt/soil/bin/soil-server serve --config /etc/soil/config.json");
  }

  @Test
  void installMakesAServerThatAcceptsTheFirstWorkersToken() throws Exception {
    Path prefix = tmp.resolve("root");

    Processes.Result install =
        Processes.run(
            Repo.ROOT,
            Map.of("SOIL_PREFIX", prefix.toString()),
            120,
            Repo.ROOT.resolve("deploy/install.sh").toString(),
            "--jar",
            Repo.SERVER_JAR.toString(),
            "--worker",
            "gh",
            "--no-start");

    assertThat(install.exit()).as(install.output()).isEqualTo(0);
    String token =
        install
            .output()
            .lines()
            .map(String::strip)
            .filter(l -> l.startsWith("gh:"))
            .findFirst()
            .orElseThrow();
    assertThat(Files.readString(prefix.resolve("etc/soil/config.json")))
        .contains("\"site\": \"" + prefix.resolve("srv/soil/site") + "\"");
    assertThat(prefix.resolve("var/lib/soil/workers.json")).exists();
    int port = ServerProcess.freePort();
    Process server =
        new ProcessBuilder(
                prefix.resolve("usr/local/bin/soil-server").toString(),
                "serve",
                "--config",
                prefix.resolve("etc/soil/config.json").toString(),
                "--listen",
                "127.0.0.1:" + port)
            .redirectErrorStream(true)
            .redirectOutput(tmp.resolve("server.log").toFile())
            .start();
    try {
      ServerProcess.awaitPort(port, server, tmp.resolve("server.log"));
      Path job = JobDir.write(tmp.resolve("out"), "first-job", 1, 0, 0);

      Processes.Result published =
          Processes.java(
              tmp,
              Map.of("SOIL_TOKEN", token),
              Repo.WORKER_JAR,
              "publish",
              "--server",
              "http://127.0.0.1:" + port + "/",
              job.toString());

      assertThat(published.exit()).as(published.output()).isEqualTo(0);
      assertThat(prefix.resolve("srv/soil/site/github-jobs/1/first-job.json")).exists();
      assertThat(prefix.resolve("srv/soil/site/github-jobs/1/index.html"))
          .content()
          .contains("first-job");
    } finally {
      server.destroy();
      server.waitFor(60, TimeUnit.SECONDS);
    }
    // serve went through the installed launcher: its first run left an AppCDS archive of the
    // server's classes beside the jar (written as the JVM stopped), which the next start maps.
    try (var files = Files.list(prefix.resolve("opt/soil"))) {
      assertThat(files.map(f -> f.getFileName().toString()))
          .anyMatch(name -> name.startsWith(".soil-server-") && name.contains(".jsa"));
    }
  }

  @Test
  void installExplainsItselfAndShowsWhyAddWorkerFailed() throws Exception {
    Path install = Repo.ROOT.resolve("deploy/install.sh");
    Processes.Result help = Processes.run(tmp, Map.of(), 30, install.toString(), "--help");
    Processes.Result failed =
        Processes.run(
            Repo.ROOT,
            Map.of("SOIL_PREFIX", tmp.resolve("root").toString()),
            120,
            install.toString(),
            "--jar",
            Repo.SERVER_JAR.toString(),
            "--scopes",
            "github-jobs,everything",
            "--no-start");

    assertThat(help.exit()).as(help.output()).isZero();
    assertThat(help.output()).contains("Usage: deploy/install.sh [--jar PATH]");
    assertThat(failed.exit()).isEqualTo(1);
    assertThat(failed.output())
        .contains("--scopes 'everything' must be one of github-jobs")
        .contains("install: add-worker failed (above)");
    String script = Files.readString(install);
    assertThat(script.indexOf("apt-get update"))
        .isPositive()
        .isLessThan(script.indexOf("apt-get install"));
    assertThat(script).contains("--shell /bin/sh").doesNotContain("nologin");
  }
}
