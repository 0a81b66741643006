package io.soilci.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.soilci.result.Fixtures;
import io.soilci.server.testing.TestServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The curl commands of Soil's {@code soil/web-worker.sh} ({@code deploy-job-results}, {@code
 * scp-status-api}, {@code remote-event-job-done}), run as they are with the credentials in {@code
 * WWUP_URL}, against a real server.
 */
class SoilShellClientIT {
  @TempDir Path dir;

  private static String curl(Path workDir, String... form)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("curl", "--include", "--fail-with-body", "-sS"));
    for (int i = 0; i < form.length - 1; i++) {
      command.add("--form");
      command.add(form[i]);
    }
    command.add(form[form.length - 1]);
    Process curl =
        new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true).start();
    assertThat(curl.waitFor(60, TimeUnit.SECONDS)).isTrue();
    String out = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(curl.exitValue()).as(out).isZero();
    return out;
  }

  @Test
  void soilsOwnClientPublishesAJobAndItsStatus() throws Exception {
    Path job = Files.createDirectories(dir.resolve("job"));
    Path fixtures = Fixtures.soilOriginal().resolve("github-jobs/4101");
    for (String ext : new String[] {".wwz", ".tsv", ".json"}) {
      Files.copy(fixtures.resolve("cpp-small" + ext), job.resolve("cpp-small" + ext));
    }
    Files.createDirectories(job.resolve("_soil-jobs"));
    Files.writeString(job.resolve("_soil-jobs/cpp-small.status.txt"), "1 2026-11-20__10-07-00\n");
    try (TestServer server = TestServer.start(dir.resolve("server"))) {
      String wwupUrl =
          "http://"
              + server.github.substring("Bearer ".length())
              + "@127.0.0.1:"
              + server.port()
              + "/uuu/wwup.cgi";

      String upload =
          curl(
              job,
              "payload-type=github-jobs",
              "subdir=4101",
              "file1=@cpp-small.wwz",
              "file2=@cpp-small.tsv",
              "file3=@cpp-small.json",
              wwupUrl);
      String status =
          curl(
              job,
              "payload-type=status-api",
              "subdir=github/94101",
              "file1=@_soil-jobs/cpp-small.status.txt",
              wwupUrl);
      String hook = curl(job, "run-hook=soil-event-job-done", "arg1=github-", "arg2=4101", wwupUrl);

      assertThat(upload).startsWith("HTTP/1.1 200").contains("--- wwup.cgi Upload ---");
      assertThat(status).startsWith("HTTP/1.1 200");
      assertThat(hook).startsWith("HTTP/1.1 200").contains("updated 1 jobs");
      assertThat(server.get("/github-jobs/4101/").body()).contains("cpp-small");
      assertThat(server.get("/github-jobs/4101/cpp-small.wwz/_tmp/soil/INDEX.tsv").body())
          .isEqualTo(Files.readString(fixtures.resolve("cpp-small.tsv")));
      assertThat(server.get("/status-api/github/94101/cpp-small.status.txt").body())
          .isEqualTo("1 2026-11-20__10-07-00\n");
    }
  }
}
