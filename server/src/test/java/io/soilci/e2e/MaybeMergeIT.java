package io.soilci.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** soil-worker maybe-merge against a real server: a wrong run id is named early and at the end. */
class MaybeMergeIT {
  private static final String SHA = "0123456789abcdef0123456789abcdef01234567";

  @TempDir Path tmp;

  @Test
  void aWrongRunIdIsNamedWithWhereItLookedFromTheFirstPoll() throws Exception {
    try (ServerProcess server = new ServerProcess(Files.createDirectories(tmp.resolve("s")))) {
      Path job = JobDir.write(tmp.resolve("out"), "unit", 5, 0, 0);
      Processes.Result published =
          Processes.java(
              tmp,
              Map.of("SOIL_TOKEN", server.token),
              Repo.WORKER_JAR,
              "publish",
              "--server",
              server.uri().toString(),
              "--update-status-api",
              job.toString());
      String looked = server.uri() + "status-api/github/999/";

      Processes.Result result =
          Processes.java(
              tmp,
              Map.of(),
              Repo.WORKER_JAR,
              "maybe-merge",
              "--server",
              server.uri().toString(),
              "--run-id",
              "999",
              "--jobs",
              "unit",
              "--sha",
              SHA,
              "--git-remote",
              tmp.resolve("no-remote").toString(),
              "--wait",
              "2",
              "--poll",
              "0.5");

      assertThat(published.exit()).as(published.output()).isEqualTo(0);
      assertThat(result.exit()).as(result.output()).isEqualTo(3);
      assertThat(result.output().lines().findFirst().orElse(""))
          .isEqualTo(
              "maybe-merge: the server has no job of run id 999 ("
                  + looked
                  + "index.json answered 404) but lists 1 run: if the jobs have started, check"
                  + " --run-id (GITHUB_RUN_ID, not GITHUB_RUN_NUMBER); waiting in case they have"
                  + " not");
      assertThat(result.output())
          .contains(
              "maybe-merge: 0 of 1 jobs reported under run id 999 ("
                  + looked
                  + "); waiting for unit (")
          .contains(
              "job 'unit' never reported within 2 s (no job reported under run id 999 at "
                  + looked
                  + ": check --run-id (GITHUB_RUN_ID), then the names in --jobs, and that each"
                  + " job publishes with --update-status-api)");
    }
  }
}
