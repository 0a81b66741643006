package io.soilci.server.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.soilci.server.config.DistributedSettings;
import io.soilci.server.config.ServerConfig;
import io.soilci.server.storage.S3Credentials;
import io.soilci.server.storage.StorageSettings;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;

/**
 * The distributed config of one replica in a test, the one place tests write it: the replica's
 * name, the nats-server's URL and the bucket (endpoint, name, prefix), as a {@link TestServer}'s
 * config or as the {@code soil.json} of a server or a command run as a process.
 *
 * @param replica the replica's name
 * @param events the nats-server's URL
 * @param endpoint the S3 endpoint
 * @param bucket the bucket's name
 * @param prefix the keys' prefix in the bucket
 */
public record ReplicaConfig(
    String replica, String events, URI endpoint, String bucket, String prefix) {
  /**
   * The keys a replica in the JVM is given: its bucket is a folder ({@link TestServer#start} with a
   * {@code FolderObjectStore}), so they are never sent.
   */
  public static final S3Credentials CREDENTIALS = new S3Credentials("test", "test-secret");

  /** An endpoint no test dials: the replicas in the JVM keep their bucket in a folder. */
  private static final URI UNUSED_ENDPOINT = URI.create("http://127.0.0.1:9");

  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * Replica {@code name} on {@code nats}, its bucket a folder the test gives it (the config's S3
   * endpoint is not dialled).
   */
  public static ReplicaConfig of(String name, NatsProcess nats) {
    return new ReplicaConfig(name, nats.url(), UNUSED_ENDPOINT, "soil", "");
  }

  /** This replica on the S3 server at {@code endpoint}, in {@code bucket} under {@code prefix}. */
  public ReplicaConfig onS3(URI endpoint, String bucket, String prefix) {
    return new ReplicaConfig(replica, events, endpoint, bucket, prefix);
  }

  /** The config's {@code distributed} block as the server reads it, with {@link #CREDENTIALS}. */
  public DistributedSettings settings() {
    return new DistributedSettings(
        replica,
        URI.create(events),
        new StorageSettings(endpoint, bucket, prefix, StorageSettings.DEFAULT_REGION, CREDENTIALS));
  }

  /** A {@link TestServer}'s config made this replica's. */
  public UnaryOperator<ServerConfig> config() {
    return c -> c.withDistributed(Optional.of(settings()));
  }

  /**
   * Writes {@code file}, a {@code soil.json} of {@code site}, {@code state} when given, and this
   * replica's {@code distributed} block (the bucket's keys come from the environment).
   */
  public Path write(Path file, Path site, @Nullable Path state) throws IOException {
    ObjectNode json = JSON.createObjectNode();
    json.put("site", site.toString());
    if (state != null) {
      json.put("state", state.toString());
    }
    ObjectNode distributed = json.putObject("distributed");
    distributed.put("replica", replica);
    distributed.put("events", events);
    ObjectNode storage = distributed.putObject("storage");
    storage.put("endpoint", endpoint.toString());
    storage.put("bucket", bucket);
    if (!prefix.isEmpty()) {
      storage.put("prefix", prefix);
    }
    Files.createDirectories(file.toAbsolutePath().getParent());
    return Files.writeString(file, JSON.writeValueAsString(json) + "\n");
  }
}
