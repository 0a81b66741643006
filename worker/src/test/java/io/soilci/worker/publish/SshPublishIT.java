package io.soilci.worker.publish;

import static org.assertj.core.api.Assertions.assertThat;

import io.soilci.worker.Cli;
import io.soilci.worker.JobFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SshPublishIT {
  @TempDir static Path tmp;
  static Sshd sshd;
  static Path ingest;

  @BeforeAll
  static void startSshd() throws Exception {
    sshd = new Sshd(Files.createDirectories(tmp.resolve("sshd")));
    ingest = tmp.resolve("ingest.sh");
    Files.writeString(ingest, "#!/bin/sh\necho \"$@\" >> " + tmp.resolve("ingested") + "\n");
    Files.setPosixFilePermissions(ingest, PosixFilePermissions.fromString("rwx------"));
  }

  @AfterAll
  static void stopSshd() throws Exception {
    sshd.close();
  }

  private Cli.Result publish(Path job, Path site, Path key, Path knownHosts, String ingestCommand) {
    return Cli.run(
        "publish",
        "--ssh",
        System.getProperty("user.name") + "@127.0.0.1:" + site,
        "--ssh-port",
        Integer.toString(sshd.port),
        "--ssh-key",
        key.toString(),
        "--known-hosts",
        knownHosts.toString(),
        "--ingest-command",
        ingestCommand,
        job.toString());
  }

  @Test
  void uploadsTheFilesIntoTheRunFolderThenRunsIngest() throws Exception {
    Path job = JobFixture.write(tmp.resolve("out1"), "cpp-small", "4101", 0, 1);
    Path site = tmp.resolve("site1");

    Cli.Result result = publish(job, site, sshd.clientKey, sshd.knownHosts, ingest.toString());

    assertThat(result.err()).isEmpty();
    assertThat(result.exit()).isEqualTo(0);
    Path run = site.resolve("github-jobs/4101");
    for (String ext : List.of(".wwz", ".tsv", ".json")) {
      assertThat(run.resolve("cpp-small" + ext))
          .hasSameBinaryContentAs(tmp.resolve("out1/cpp-small" + ext));
    }
    try (Stream<Path> files = Files.list(run)) {
      assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith(".tmp-"));
    }
    assertThat(Files.readString(tmp.resolve("ingested")))
        .contains("--site " + site + " github-jobs/4101/cpp-small\n");
  }

  @Test
  void writesTheStatusApiFileAfterIngestWhenAsked() throws Exception {
    Path job = JobFixture.write(tmp.resolve("out6"), "lint", "4102", 0, 2);
    Path site = tmp.resolve("site6");

    Cli.Result result =
        Cli.run(
            "publish",
            "--ssh",
            System.getProperty("user.name") + "@127.0.0.1:" + site,
            "--ssh-port",
            Integer.toString(sshd.port),
            "--ssh-key",
            sshd.clientKey.toString(),
            "--known-hosts",
            sshd.knownHosts.toString(),
            "--ingest-command",
            ingest.toString(),
            "--update-status-api",
            job.toString());

    assertThat(result.exit()).as(result.err()).isEqualTo(0);
    assertThat(Files.readString(site.resolve("status-api/github/994102/lint.status.txt")))
        .matches("2 \\d{4}-\\d\\d-\\d\\d__\\d\\d-\\d\\d-\\d\\d\n");
  }

  @Test
  void publishingAgainReplacesTheFiles() throws Exception {
    Path site = tmp.resolve("site2");
    publish(
        JobFixture.write(tmp.resolve("a"), "j", "7", 0),
        site,
        sshd.clientKey,
        sshd.knownHosts,
        ingest.toString());
    Path again = JobFixture.write(tmp.resolve("b"), "j", "7", 1, 1, 1);

    Cli.Result result = publish(again, site, sshd.clientKey, sshd.knownHosts, ingest.toString());

    assertThat(result.exit()).isEqualTo(0);
    assertThat(site.resolve("github-jobs/7/j.tsv")).hasSameTextualContentAs(tmp.resolve("b/j.tsv"));
  }

  @Test
  void refusesAnUnknownHostKey() throws Exception {
    Path job = JobFixture.write(tmp.resolve("out3"), "j", "8", 0);
    Path empty = Files.writeString(tmp.resolve("empty_known_hosts"), "");

    Cli.Result result =
        publish(job, tmp.resolve("site3"), sshd.clientKey, empty, ingest.toString());

    assertThat(result.exit()).isEqualTo(1);
    assertThat(result.err())
        .startsWith(
            "soil-worker: cannot log in to "
                + System.getProperty("user.name")
                + "@127.0.0.1 port "
                + sshd.port
                + ": reject HostKey")
        .endsWith("; check the host key in " + empty + " and the key " + sshd.clientKey);
    assertThat(tmp.resolve("site3")).doesNotExist();
  }

  @Test
  void refusesAKeyTheServerDoesNotKnow() throws Exception {
    Path job = JobFixture.write(tmp.resolve("out4"), "j", "9", 0);
    Path stranger = Sshd.keygen(tmp.resolve("stranger"));

    Cli.Result result =
        publish(job, tmp.resolve("site4"), stranger, sshd.knownHosts, ingest.toString());

    assertThat(result.exit()).isEqualTo(1);
    assertThat(result.err()).contains(": Auth fail").endsWith("and the key " + stranger);
  }

  @Test
  void reportsAFailingIngestWithItsLastLine() throws Exception {
    Path job = JobFixture.write(tmp.resolve("out5"), "j", "10", 0);

    Cli.Result result =
        publish(
            job,
            tmp.resolve("site5"),
            sshd.clientKey,
            sshd.knownHosts,
            "sh -c 'echo site is locked >&2; exit 3' x");

    assertThat(result.exit()).isEqualTo(1);
    assertThat(result.err())
        .isEqualTo(
            "soil-worker: ingest on 127.0.0.1 exited 3: site is locked (command: sh -c 'echo site is"
                + " locked >&2; exit 3' x --site '"
                + tmp.resolve("site5")
                + "' 'github-jobs/10/j';"
                + " set it with --ingest-command)");
  }
}
