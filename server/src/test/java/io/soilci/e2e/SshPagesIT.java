package io.soilci.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.soilci.worker.publish.Sshd;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Publishing over SSH (SFTP + the server's ingest) makes the same site as over HTTP. */
class SshPagesIT {
  @TempDir Path tmp;

  @Test
  void sshPublishingYieldsTheSamePagesAsHttp() throws Exception {
    Path job = JobDir.write(tmp.resolve("out"), "same-job", 12, 1, 0);
    Path overSsh;
    try (Sshd sshd = new Sshd(Files.createDirectories(tmp.resolve("sshd")))) {
      overSsh = Files.createDirectories(tmp.resolve("ssh/site"));
      Path ingest = tmp.resolve("soil-server");
      Files.writeString(ingest, "#!/bin/sh\nexec java -jar " + Repo.SERVER_JAR + " \"$@\"\n");
      Files.setPosixFilePermissions(ingest, PosixFilePermissions.fromString("rwx------"));

      Processes.Result ssh =
          Processes.java(
              tmp,
              Map.of(),
              Repo.WORKER_JAR,
              "publish",
              "--ssh",
              System.getProperty("user.name") + "@127.0.0.1:" + overSsh,
              "--ssh-port",
              Integer.toString(sshd.port),
              "--ssh-key",
              sshd.clientKey.toString(),
              "--known-hosts",
              sshd.knownHosts.toString(),
              "--ingest-command",
              ingest + " ingest",
              job.toString());
      assertThat(ssh.exit()).as(ssh.output()).isEqualTo(0);
    }
    Path overHttp;
    try (ServerProcess server = new ServerProcess(Files.createDirectories(tmp.resolve("http")))) {
      Processes.Result http =
          Processes.java(
              tmp,
              Map.of("SOIL_TOKEN", server.token),
              Repo.WORKER_JAR,
              "publish",
              "--server",
              server.uri().toString(),
              "--no-done-event",
              job.toString());
      assertThat(http.exit()).as(http.output()).isEqualTo(0);
      overHttp = server.site;
    }

    for (String page :
        new String[] {
          "github-jobs/12/index.html",
          "github-jobs/index.html",
          "github-jobs/raw.html",
          "github-jobs/12/same-job.json",
          "github-jobs/12/same-job.tsv"
        }) {
      assertThat(overSsh.resolve(page)).as(page).exists();
      assertThat(overSsh.resolve(page)).as(page).hasSameTextualContentAs(overHttp.resolve(page));
    }
    assertThat(overSsh.resolve("github-jobs/12/same-job.wwz"))
        .hasSameBinaryContentAs(overHttp.resolve("github-jobs/12/same-job.wwz"));
    try (Stream<Path> files = Files.list(overSsh.resolve("github-jobs/12"))) {
      assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith(".tmp-"));
    }
  }

  @Test
  void logsInWithAKeyFromTheSshAgent() throws Exception {
    Path job = JobDir.write(tmp.resolve("out"), "agent-job", 13, 0, 0);
    Path socket = tmp.resolve("agent.sock");
    Process agent =
        new ProcessBuilder("ssh-agent", "-D", "-a", socket.toString())
            .redirectErrorStream(true)
            .redirectOutput(tmp.resolve("agent.log").toFile())
            .start();
    try (Sshd sshd = new Sshd(Files.createDirectories(tmp.resolve("sshd")))) {
      for (int i = 0; i < 100 && !Files.exists(socket); i++) {
        Thread.sleep(50);
      }
      Map<String, String> env = Map.of("SSH_AUTH_SOCK", socket.toString());
      Processes.Result added = Processes.run(tmp, env, 30, "ssh-add", sshd.clientKey.toString());
      assertThat(added.exit()).as(added.output()).isEqualTo(0);
      Path site = tmp.resolve("agent-site");
      Path ingest = Files.writeString(tmp.resolve("ingest.sh"), "#!/bin/sh\nexit 0\n");
      Files.setPosixFilePermissions(ingest, PosixFilePermissions.fromString("rwx------"));

      Processes.Result published =
          Processes.java(
              tmp,
              env,
              Repo.WORKER_JAR,
              "publish",
              "--ssh",
              System.getProperty("user.name") + "@127.0.0.1:" + site,
              "--ssh-port",
              Integer.toString(sshd.port),
              "--known-hosts",
              sshd.knownHosts.toString(),
              "--ingest-command",
              ingest.toString(),
              job.toString());

      assertThat(published.exit()).as(published.output()).isEqualTo(0);
      assertThat(site.resolve("github-jobs/13/agent-job.json")).exists();
    } finally {
      agent.destroy();
    }
  }
}
