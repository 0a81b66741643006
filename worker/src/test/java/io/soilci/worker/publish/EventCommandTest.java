package io.soilci.worker.publish;

import static org.assertj.core.api.Assertions.assertThat;

import io.soilci.worker.Cli;
import io.soilci.worker.LoopbackHttp;
import io.soilci.worker.LoopbackHttp.Reply;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EventCommandTest {
  @TempDir Path dir;

  @Test
  void sendsADoneEventWithTheTokenFromAFile() throws Exception {
    Path token = Files.writeString(dir.resolve("token"), "srht:xyz\n");
    try (LoopbackHttp http = new LoopbackHttp(r -> Reply.of(200, "done"))) {
      Cli.Result result =
          Cli.run(
              "event",
              "--server",
              http.uri().toString(),
              "--token-file",
              token.toString(),
              "--name",
              "done",
              "--job",
              "cpp",
              "--worker-host",
              "sourcehut",
              "--run-id",
              "1234",
              "--status",
              "3");

      assertThat(result.exit()).isEqualTo(0);
      LoopbackHttp.Request request = http.requests().get(0);
      assertThat(request.pathAndQuery())
          .isEqualTo("/event?eventName=done&workerHost=sourcehut&runId=1234&jobName=cpp&status=3");
      assertThat(request.header("Authorization")).isEqualTo("Basic c3JodDp4eXo=");
    }
  }

  @Test
  void namesGitHubsRunIdForTheStatusFile() throws Exception {
    Path token = Files.writeString(dir.resolve("token"), "gh:xyz\n");
    try (LoopbackHttp http = new LoopbackHttp(r -> Reply.of(200, "done"))) {
      Cli.Result result =
          Cli.run(
              "event",
              "--server",
              http.uri().toString(),
              "--token-file",
              token.toString(),
              "--name",
              "done",
              "--job",
              "lint",
              "--run-id",
              "77",
              "--status",
              "0",
              "--update-status-api",
              "--status-run-id",
              "6474853823");

      assertThat(result.exit()).isEqualTo(0);
      assertThat(http.requests().get(0).pathAndQuery())
          .isEqualTo(
              "/event?eventName=done&workerHost=github&runId=77&jobName=lint&status=0"
                  + "&updateStatusApi=1&statusRunId=6474853823");
    }
  }

  @Test
  void asksForTheStatusOfADoneEvent() throws Exception {
    Path token = Files.writeString(dir.resolve("token"), "w:s");

    Cli.Result result =
        Cli.run(
            "event",
            "--server",
            "http://127.0.0.1:9/",
            "--token-file",
            token.toString(),
            "--name",
            "done",
            "--job",
            "cpp",
            "--run-id",
            "1");

    assertThat(result.exit()).isEqualTo(2);
    assertThat(result.err())
        .isEqualTo(
            "soil-worker: --name done needs --status N (0-255), the job's largest task status");
  }

  @Test
  void itsHelpDescribesEventsNotUploads() {
    Cli.Result result = Cli.run("event", "--help");

    assertThat(result.exit()).isZero();
    assertThat(result.out().replaceAll("\\s+", " "))
        .contains("Default: $GITHUB_RUN_NUMBER (github) or $JOB_ID (sourcehut).")
        .contains("With --name done: have the server write status-api/")
        .contains("Keep retrying a request")
        .doesNotContain("upload")
        .doesNotContain("(GITHUB_RUN_NUMBER or JOB_ID)")
        .doesNotContain("SSH");
  }

  @Test
  void takesTheRunFromTheEnvironmentLikeTheHelpSays() throws Exception {
    Path token = Files.writeString(dir.resolve("token"), "gh:xyz\n");
    try (LoopbackHttp http = new LoopbackHttp(r -> Reply.of(200, "done"))) {
      Cli.Result result =
          Cli.run(
              new EventCommand(java.util.Map.of("GITHUB_RUN_NUMBER", "41")),
              "event",
              "--server",
              http.uri().toString(),
              "--token-file",
              token.toString(),
              "--name",
              "start",
              "--job",
              "cpp");

      assertThat(result.exit()).as(result.err()).isEqualTo(0);
      assertThat(http.requests().get(0).pathAndQuery())
          .isEqualTo("/event?eventName=start&workerHost=github&runId=41&jobName=cpp");
    }
  }

  @Test
  void rejectsAnUnknownEventName() {
    Cli.Result result =
        Cli.run(
            "event",
            "--server",
            "http://127.0.0.1:9/",
            "--name",
            "finished",
            "--job",
            "cpp",
            "--run-id",
            "1");

    assertThat(result.exit()).isEqualTo(2);
    assertThat(result.err()).isEqualTo("soil-worker: --name 'finished' must be start or done");
  }

  @Test
  void showsTheServersReasonForARefusedEvent() throws Exception {
    try (LoopbackHttp http =
        new LoopbackHttp(r -> Reply.of(400, "eventName 'start' needs a job that exists\n"))) {
      Cli.Result result =
          Cli.run(
              new EventCommand(),
              "event",
              "--server",
              http.uri().toString(),
              "--token-file",
              Files.writeString(dir.resolve("t"), "w:s").toString(),
              "--name",
              "start",
              "--job",
              "cpp",
              "--run-id",
              "1");

      assertThat(result.exit()).isEqualTo(1);
      assertThat(result.err())
          .isEqualTo(
              "soil-worker: send start event for github-jobs/1/cpp failed: HTTP 400: eventName"
                  + " 'start' needs a job that exists");
    }
  }
}
