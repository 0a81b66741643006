package io.soilci.worker.publish;

import static org.assertj.core.api.Assertions.assertThat;

import io.soilci.worker.Cli;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PublishCommandTest {
  @TempDir Path dir;

  @Test
  void namesEveryMissingFileAndExits2() {
    Cli.Result result =
        Cli.run("publish", "--server", "http://127.0.0.1:9/", dir.resolve("my-job").toString());

    assertThat(result.exit()).isEqualTo(2);
    assertThat(result.err())
        .isEqualTo(
            "soil-worker: cannot publish my-job: missing "
                + dir.resolve("my-job.wwz")
                + ", "
                + dir.resolve("my-job.tsv")
                + ", "
                + dir.resolve("my-job.json")
                + " (run-job writes all three; check DIR/JOB)");
  }

  @Test
  void rejectsAServerThatIsNotAUrl() throws Exception {
    Path job = io.soilci.worker.JobFixture.write(dir, "j", "1", 0);

    Cli.Result result = Cli.run("publish", "--server", "soil.example.org", job.toString());

    assertThat(result.exit()).isEqualTo(2);
    assertThat(result.err())
        .isEqualTo(
            "soil-worker: --server 'soil.example.org' must be an http(s) URL, e.g."
                + " https://soil.example.org/");
  }

  @Test
  void rejectsAnSshTargetWithoutAbsoluteSite() throws Exception {
    Path job = io.soilci.worker.JobFixture.write(dir, "j", "1", 0);

    Cli.Result result = Cli.run("publish", "--ssh", "soil@host:site", job.toString());

    assertThat(result.exit()).isEqualTo(2);
    assertThat(result.err())
        .startsWith("soil-worker: --ssh 'soil@host:site' must be USER@HOST:/absolute/site/folder");
  }

  @Test
  void rejectsARunNameTheSiteReservesBeforeSending() throws Exception {
    Path job = io.soilci.worker.JobFixture.write(dir, "j", "commits", 0);
    Path token = java.nio.file.Files.writeString(dir.resolve("token"), "ci:secret\n");

    Cli.Result result =
        Cli.run(
            "publish",
            "--server",
            "http://127.0.0.1:9/",
            "--token-file",
            token.toString(),
            "--retry-for",
            "0",
            job.toString());

    assertThat(result.exit()).isEqualTo(2);
    assertThat(result.err())
        .isEqualTo(
            "soil-worker: runId 'commits' is reserved for the site's pages; use another run name");
  }

  @Test
  void namesATokenFileThatDoesNotExist() throws Exception {
    Path job = io.soilci.worker.JobFixture.write(dir, "j", "1", 0);
    Path missing = dir.resolve("no-token");

    Cli.Result result =
        Cli.run(
            "publish",
            "--server",
            "http://127.0.0.1:9/",
            "--token-file",
            missing.toString(),
            job.toString());

    assertThat(result.exit()).isEqualTo(2);
    assertThat(result.err())
        .isEqualTo(
            "soil-worker: --token-file "
                + missing
                + " does not exist; put the worker token NAME:SECRET that soil-server add-worker"
                + " printed there, or set SOIL_TOKEN instead");
  }
}
