package io.soilci.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.nats.client.Connection;
import io.nats.client.KeyValue;
import io.nats.client.Nats;
import io.nats.client.api.KeyValueEntry;
import io.soilci.server.auth.SharedWorkers;
import io.soilci.server.storage.FolderObjectStore;
import io.soilci.server.storage.S3Credentials;
import io.soilci.server.testing.NatsProcess;
import io.soilci.server.testing.ReplicaConfig;
import io.soilci.server.testing.TestServer;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Worker tokens of the distributed mode: {@code add-worker} and {@code remove-worker} run as
 * commands against the cluster's config (a real nats-server) take effect on both running replicas
 * at once, and a removed worker is refused by both as one box refuses it.
 */
class SharedWorkersTest {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final String START = "/event?eventName=start&workerHost=github&jobName=cpp&runId=";

  @TempDir Path dir;

  private TestServer replica(String name, NatsProcess nats) throws Exception {
    Path bucket = Files.createDirectories(dir.resolve("bucket"));
    return TestServer.start(
        dir.resolve(name),
        ReplicaConfig.of(name, nats).config(),
        s -> new FolderObjectStore(bucket));
  }

  @Test
  void aWorkerAddedToTheClusterWritesToBothReplicasAndOneRemovedIsRefusedByBoth() throws Exception {
    try (NatsProcess nats = NatsProcess.start(dir.resolve("nats"));
        TestServer r1 = replica("r1", nats);
        TestServer r2 = replica("r2", nats)) {
      Path config = clusterConfig(nats);
      Command added =
          command("add-worker", "newbie", "--scopes", "github-jobs", "--config", config);
      assertThat(added.status()).as(added.err()).isZero();
      String token = "Bearer " + added.out().strip();
      String secret = token.substring(token.indexOf(':') + 1);

      assertThat(awaitStatus(r1, START + "9001", token, 200).body())
          .isEqualTo("start github-jobs/9001/cpp\n");
      assertThat(awaitStatus(r2, START + "9002", token, 200).body())
          .isEqualTo("start github-jobs/9002/cpp\n");
      try (Connection connection = Nats.connect(nats.url())) {
        KeyValue kv = connection.keyValue(SharedWorkers.BUCKET);
        KeyValueEntry entry =
            kv.get(
                Base64.getUrlEncoder()
                    .withoutPadding()
                    .encodeToString("newbie".getBytes(StandardCharsets.UTF_8)));
        String stored = entry.getValueAsString();
        assertThat(stored)
            .as("what the bucket keeps: the hash, never the secret")
            .contains("\"hash\"")
            .doesNotContain(secret);
      }

      Command removed = command("remove-worker", "newbie", "--config", config);
      assertThat(removed.status()).as(removed.err()).isZero();
      // As one box answers a token it does not know.
      for (TestServer replica : List.of(r1, r2)) {
        HttpResponse<String> refused = awaitStatus(replica, START + "9003", token, 401);
        assertThat(refused.statusCode()).isEqualTo(401);
        assertThat(refused.body()).isEqualTo("worker token not recognized\n");
      }
    }
  }

  @Test
  void removingAWorkerTheClusterDoesNotHaveIsBadUsageAndWritesNothing() throws Exception {
    try (NatsProcess nats = NatsProcess.start(dir.resolve("nats"))) {
      Path config = clusterConfig(nats);
      Command added =
          command("add-worker", "gh-runner", "--scopes", "github-jobs", "--config", config);
      assertThat(added.status()).as(added.err()).isZero();

      Command removed = command("remove-worker", "gh-runer", "--config", config);

      assertThat(removed.status()).as(removed.err()).isEqualTo(2);
      assertThat(removed.err())
          .isEqualTo(
              "soil-server: no worker 'gh-runer' in the cluster's key-value bucket SOIL_WORKERS at "
                  + nats.url()
                  + " or in "
                  + dir.resolve("soil-state").resolve("workers.json")
                  + "; the cluster's workers: 'gh-runner' (one kept only in another replica's"
                  + " workers.json: run remove-worker with that replica's config)\n");
      try (Connection connection = Nats.connect(nats.url())) {
        KeyValue kv = connection.keyValue(SharedWorkers.BUCKET);
        assertThat(
                kv.get(
                    Base64.getUrlEncoder()
                        .withoutPadding()
                        .encodeToString("gh-runer".getBytes(StandardCharsets.UTF_8))))
            .as("no delete marker for a name the cluster never had")
            .isNull();
        assertThat(kv.keys()).hasSize(1);
      }
    }
  }

  /** What the replicas are started with, as a config file for a command. */
  private Path clusterConfig(NatsProcess nats) throws Exception {
    Files.createDirectories(dir.resolve("command-site"));
    return ReplicaConfig.of("admin", nats)
        .write(dir.resolve("cluster.json"), dir.resolve("command-site"), null);
  }

  private record Command(int status, String out, String err) {}

  /**
   * Runs {@code soil-server ARGS} as a process, with the bucket's credentials in its environment.
   */
  private Command command(Object... args) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(ServerMain.class.getName());
    for (Object arg : args) {
      command.add(arg.toString());
    }
    Path out = dir.resolve("command.out");
    Path err = dir.resolve("command.err");
    ProcessBuilder builder =
        new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
    builder.environment().put(S3Credentials.ACCESS_KEY, ReplicaConfig.CREDENTIALS.accessKey());
    builder.environment().put(S3Credentials.SECRET_KEY, ReplicaConfig.CREDENTIALS.secretKey());
    Process process = builder.start();
    try {
      if (!process.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)) {
        throw new AssertionError("soil-server " + List.of(args) + " did not end within " + WAIT);
      }
    } finally {
      process.destroyForcibly();
    }
    return new Command(
        process.exitValue(),
        Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }

  /** The replica's answer to {@code path} once it is {@code status} (or the last, after WAIT). */
  private static HttpResponse<String> awaitStatus(
      TestServer server, String path, String token, int status) throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    HttpResponse<String> answer;
    do {
      answer = server.post(path, token);
      if (answer.statusCode() == status) {
        return answer;
      }
      Thread.sleep(200);
    } while (System.nanoTime() < deadline);
    return answer;
  }
}
