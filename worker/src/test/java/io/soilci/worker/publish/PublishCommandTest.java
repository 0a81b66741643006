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
}
