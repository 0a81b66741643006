package io.soilci.server.nats;

import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.KeyValue;
import io.nats.client.KeyValueManagement;
import io.nats.client.api.KeyValueConfiguration;
import io.nats.client.api.StorageType;
import java.io.IOException;
import java.time.Duration;

/** Opens the JetStream key-value buckets of the cluster, making each when missing. */
public final class KeyValueBuckets {
  private KeyValueBuckets() {}

  /** The bucket {@code name} (history 1, file storage, kept until deleted), made when missing. */
  public static KeyValue open(Connection connection, String name) throws IOException {
    return open(connection, configuration(name).build());
  }

  /**
   * The bucket {@code name} (history 1, file storage, each key removed {@code ttl} after its last
   * write), made when missing.
   */
  public static KeyValue open(Connection connection, String name, Duration ttl) throws IOException {
    return open(connection, configuration(name).ttl(ttl).build());
  }

  private static KeyValueConfiguration.Builder configuration(String name) {
    return KeyValueConfiguration.builder()
        .name(name)
        .maxHistoryPerKey(1)
        .storageType(StorageType.File);
  }

  private static KeyValue open(Connection connection, KeyValueConfiguration configuration)
      throws IOException {
    String name = configuration.getBucketName();
    try {
      KeyValueManagement management = connection.keyValueManagement();
      try {
        management.getStatus(name);
      } catch (JetStreamApiException e) {
        if (e.getErrorCode() != 404) {
          throw e;
        }
        try {
          management.create(configuration);
        } catch (JetStreamApiException made) {
          management.getStatus(name); // another replica made it meanwhile
        }
      }
      return connection.keyValue(name);
    } catch (JetStreamApiException e) {
      throw new IOException("cannot open the key-value bucket " + name + ": " + e, e);
    }
  }
}
