package io.soilci.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.soilci.server.config.ServerConfig;
import io.soilci.server.storage.FolderObjectStore;
import io.soilci.server.testing.NatsProcess;
import io.soilci.server.testing.ReplicaConfig;
import io.soilci.server.testing.TestServer;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A plain file where a run folder should be in one replica's site (put there by hand): that replica
 * answers a change into it with the precise 500 naming the file, leaves the file alone, and goes on
 * applying every later change of the stream; the other replica is not held up.
 */
class PlainFileOnAReplicaTest {
  private static final String TEXT = "not a folder\n";

  @TempDir Path dir;

  private static UnaryOperator<ServerConfig> replica(String name, NatsProcess nats) {
    return ReplicaConfig.of(name, nats).config();
  }

  @Test
  void aReplicaWithAPlainFileForARunFolderNamesItAndKeepsApplyingTheStream() throws Exception {
    Path bucket = Files.createDirectories(dir.resolve("bucket"));
    try (NatsProcess nats = NatsProcess.start(dir.resolve("nats"));
        TestServer r1 =
            TestServer.start(
                dir.resolve("r1"), replica("r1", nats), s -> new FolderObjectStore(bucket));
        TestServer r2 =
            TestServer.start(
                dir.resolve("r2"), replica("r2", nats), s -> new FolderObjectStore(bucket))) {
      Path plain = Files.createDirectories(r2.site.resolve("github-jobs")).resolve("4101");
      Files.writeString(plain, TEXT);

      HttpResponse<String> elsewhere =
          r1.post(
              "/results?workerHost=github&runId=4101&jobName=cpp-small",
              r1.github,
              TestServer.fixtureJob("github-jobs/4101", "cpp-small"));
      HttpResponse<String> here =
          r2.post("/event?workerHost=github&eventName=start&runId=4101&jobName=lint", r2.github);
      HttpResponse<String> later =
          r2.post(
              "/results?workerHost=github&runId=4200&jobName=cpp-small",
              r2.github,
              TestServer.fixtureJob("github-jobs/4101", "cpp-small"));

      assertThat(elsewhere.statusCode()).as(elsewhere.body()).isEqualTo(200);
      assertThat(here.statusCode()).as(here.body()).isEqualTo(500);
      assertThat(here.body())
          .isEqualTo(
              "SITE/github-jobs/4101 is a plain file where a folder should be, so nothing was"
                  + " stored there: move it out of the site folder\n");
      assertThat(later.statusCode()).as(later.body()).isEqualTo(200);
      assertThat(r2.site.resolve("github-jobs/4200/cpp-small.json")).isRegularFile();
      assertThat(Files.readString(plain)).isEqualTo(TEXT);
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (!Files.isRegularFile(r1.site.resolve("github-jobs/4200/cpp-small.json"))) {
        assertThat(System.nanoTime()).as("r1 applies r2's upload").isLessThan(deadline);
        Thread.sleep(50);
      }
    }
  }
}
