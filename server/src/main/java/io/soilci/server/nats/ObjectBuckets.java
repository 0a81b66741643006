package io.soilci.server.nats;

import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.ObjectStore;
import io.nats.client.ObjectStoreManagement;
import io.nats.client.ObjectStoreOptions;
import io.nats.client.api.ObjectStoreConfiguration;
import io.nats.client.api.StorageType;
import java.io.IOException;
import java.time.Duration;

/** Opens the JetStream object stores of the cluster, making each when missing. */
public final class ObjectBuckets {
  private ObjectBuckets() {}

  /**
   * The object store {@code name} (file storage, objects kept until deleted), made when missing;
   * its requests wait at most {@code timeout} for nats-server.
   */
  public static ObjectStore open(Connection connection, String name, Duration timeout)
      throws IOException {
    ObjectStoreOptions options = ObjectStoreOptions.builder().jsRequestTimeout(timeout).build();
    try {
      ObjectStoreManagement management = connection.objectStoreManagement(options);
      try {
        management.getStatus(name);
      } catch (JetStreamApiException e) {
        if (e.getErrorCode() != 404) {
          throw e;
        }
        try {
          management.create(
              ObjectStoreConfiguration.builder(name).storageType(StorageType.File).build());
        } catch (JetStreamApiException made) {
          management.getStatus(name); // another replica made it meanwhile
        }
      }
      return connection.objectStore(name, options);
    } catch (JetStreamApiException e) {
      throw new IOException("cannot open the object store " + name + ": " + e, e);
    }
  }
}
