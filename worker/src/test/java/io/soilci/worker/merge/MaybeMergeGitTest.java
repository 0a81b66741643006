package io.soilci.worker.merge;

import static org.assertj.core.api.Assertions.assertThat;

import io.soilci.worker.Cli;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MaybeMergeGitTest {
  @TempDir Path tmp;
  private Path bare;
  private Git clone;
  private String base;
  private final StringBuilder out = new StringBuilder();

  @BeforeEach
  void makeRepositories() throws Exception {
    bare = Files.createDirectories(tmp.resolve("remote.git"));
    new Git(bare).run("init", "-q", "--bare", "-b", "main");
    Path work = Files.createDirectories(tmp.resolve("work"));
    clone = new Git(work);
    clone.run("init", "-q", "-b", "main");
    base = clone.commit("base");
    clone.run("push", "-q", bare.toString(), "main");
  }

  private Cli.Result maybeMerge(StatusFolder status, String sha, String... more) {
    return maybeMergeWaiting(status, sha, "2", more);
  }

  private Cli.Result maybeMergeWaiting(
      StatusFolder status, String sha, String wait, String... more) {
    String[] args = {
      "maybe-merge",
      "--server",
      status.url(),
      "--run-id",
      "77",
      "--jobs",
      "a,b",
      "--sha",
      sha,
      "--git-remote",
      bare.toString(),
      "--checkout",
      tmp.resolve("work").toString(),
      "--wait",
      wait,
      "--poll",
      "0.1"
    };
    String[] all =
        java.util.stream.Stream.concat(java.util.Arrays.stream(args), java.util.Arrays.stream(more))
            .toArray(String[]::new);
    Cli.Result result = Cli.run(new MaybeMergeCommand(Map.of()), all);
    out.append(result.out());
    return result;
  }

  private String remoteMain() throws Exception {
    return new Git(bare).run("rev-parse", "main");
  }

  private String printed() {
    return out.toString().strip();
  }

  @Test
  void fastForwardsTheRemoteBranchWhenEveryJobPassed() throws Exception {
    String tested = clone.commit("tested");
    try (StatusFolder status = new StatusFolder(tmp.resolve("site"))) {
      status.report("77", "a", "0 1001");
      status.report("77", "b", "0 1002");

      Cli.Result result = maybeMerge(status, tested);

      assertThat(result.exit()).isEqualTo(0);
      assertThat(remoteMain()).isEqualTo(tested);
      assertThat(printed())
          .isEqualTo(
              "maybe-merge: all 2 jobs passed; branch main of " + bare + " is now " + tested);
    }
  }

  @Test
  void refusesARedRunAndLeavesTheBranch() throws Exception {
    String tested = clone.commit("tested");
    try (StatusFolder status = new StatusFolder(tmp.resolve("site"))) {
      status.report("77", "a", "0 1001");
      status.report("77", "b", "1 1002");

      Cli.Result result = maybeMerge(status, tested);

      assertThat(result.exit()).isEqualTo(3);
      assertThat(remoteMain()).isEqualTo(base);
      assertThat(printed()).endsWith(": job 'b' failed (status 1)");
    }
  }

  @Test
  void waitsForALateJobWithAProgressLine() throws Exception {
    String tested = clone.commit("tested");
    try (StatusFolder status = new StatusFolder(tmp.resolve("site"))) {
      status.report("77", "a", "0 1001");
      Thread late =
          new Thread(
              () -> {
                try {
                  // Long enough that the first poll, even on a loaded machine, finds only a.
                  Thread.sleep(3000);
                  status.report("77", "b", "0 1002");
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              });
      late.start();

      Cli.Result result = maybeMergeWaiting(status, tested, "10");
      late.join();

      assertThat(result.exit()).isEqualTo(0);
      assertThat(printed())
          .contains(
              "maybe-merge: 1 of 2 jobs reported under run id 77 ("
                  + status.url()
                  + "status-api/github/77/); waiting for b (");
      assertThat(remoteMain()).isEqualTo(tested);
    }
  }

  @Test
  void treatsAJobThatNeverReportsAsNotGreenAndSaysWhatToCheck() throws Exception {
    String tested = clone.commit("tested");
    try (StatusFolder status = new StatusFolder(tmp.resolve("site"))) {
      status.report("77", "a", "0 1001");

      Cli.Result result = maybeMergeWaiting(status, tested, "1");

      assertThat(result.exit()).isEqualTo(3);
      assertThat(printed())
          .endsWith(
              ": job 'b' never reported within 1 s (check the names in --jobs, and that each job"
                  + " publishes with --update-status-api)");
      assertThat(remoteMain()).isEqualTo(base);
    }
  }

  @Test
  void whenNoJobReportedTheHintNamesTheRunIdFirst() throws Exception {
    String tested = clone.commit("tested");
    try (StatusFolder status = new StatusFolder(tmp.resolve("site"))) {
      status.report("78", "a", "0 1001");
      status.report("78", "b", "0 1001");

      Cli.Result result = maybeMergeWaiting(status, tested, "1");

      assertThat(result.exit()).isEqualTo(3);
      assertThat(printed())
          .endsWith(
              ": job 'a' never reported, job 'b' never reported within 1 s (no job reported under"
                  + " run id 77 at "
                  + status.url()
                  + "status-api/github/77/: check --run-id (GITHUB_RUN_ID), then the names in"
                  + " --jobs, and"
                  + " that each job publishes with --update-status-api)");
    }
  }

  @Test
  void treatsAnUnreadableStatusAsNotGreen() throws Exception {
    String tested = clone.commit("tested");
    try (StatusFolder status = new StatusFolder(tmp.resolve("site"))) {
      status.report("77", "a", "0 1001");
      status.report("77", "b", "<html>oops</html>");

      Cli.Result result = maybeMerge(status, tested);

      assertThat(result.exit()).isEqualTo(3);
      assertThat(printed()).contains("job 'b' has an unreadable status ('<html>oops</html>' from ");
    }
  }

  @Test
  void refusesANonFastForward() throws Exception {
    clone.run("checkout", "-q", "-b", "side", base);
    String side = clone.commit("side");
    clone.run("checkout", "-q", "main");
    String moved = clone.commit("moved on");
    clone.run("push", "-q", bare.toString(), "main");
    try (StatusFolder status = new StatusFolder(tmp.resolve("site"))) {
      status.report("77", "a", "0 1");
      status.report("77", "b", "0 2");

      Cli.Result result = maybeMerge(status, side);

      assertThat(result.exit()).isEqualTo(1);
      assertThat(result.err())
          .isEqualTo(
              "soil-worker: refused: "
                  + side
                  + " is not a fast-forward of branch main of "
                  + bare
                  + "; the branch moved on, run again on its new head");
      assertThat(remoteMain()).isEqualTo(moved);
    }
  }

  @Test
  void rejectsAnInvalidJobNameAsUsage() throws Exception {
    try (StatusFolder status = new StatusFolder(tmp.resolve("site"))) {
      Cli.Result result = maybeMerge(status, base, "--jobs", "a,b/c");

      assertThat(result.exit()).isEqualTo(2);
      assertThat(result.err())
          .isEqualTo(
              "soil-worker: jobName 'b/c' must be 1-100 letters, digits, '.', '_' or '-', starting with a letter or digit");
    }
  }

  @Test
  void saysWhenTheStatusApiIsUnreachable() throws Exception {
    String url;
    try (StatusFolder status = new StatusFolder(tmp.resolve("site"))) {
      url = status.url();
    }
    Cli.Result result =
        Cli.run(
            new MaybeMergeCommand(Map.of()),
            "maybe-merge",
            "--server",
            url,
            "--run-id",
            "77",
            "--jobs",
            "a",
            "--sha",
            base,
            "--git-remote",
            bare.toString());

    assertThat(result.exit()).isEqualTo(1);
    assertThat(result.err())
        .startsWith(
            "soil-worker: cannot read the status API at "
                + url
                + "status-api/github/77/a.status.txt: java.net.ConnectException")
        .endsWith("; check --server");
  }
}
