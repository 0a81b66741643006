package io.soilci.server.config;

import io.soilci.result.BadInput;
import io.soilci.result.Printable;
import io.soilci.server.storage.StorageSettings;
import java.net.URI;
import java.util.regex.Pattern;

/**
 * The distributed mode (config block {@code distributed}): this replica's name, the NATS server
 * whose JetStream carries the events, and the bucket every replica shares. Absent, the server is
 * one box on one disk, as by default.
 *
 * @param replica this replica's name, unique among the replicas: 1-64 letters, digits, '_' or '-'
 *     (no '.', so it can name a NATS consumer); defaults to the host name's first label
 * @param events the NATS server, {@code nats://HOST:PORT} or {@code tls://HOST:PORT}
 * @param storage the bucket of job files and pages
 */
public record DistributedSettings(String replica, URI events, StorageSettings storage) {
  private static final Pattern REPLICA = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,63}");

  public DistributedSettings {
    if (!REPLICA.matcher(replica).matches()) {
      throw new BadInput(
          "config key 'distributed.replica' '"
              + Printable.of(replica)
              + "' must be 1-64 letters, digits, '_' or '-', starting with a letter or digit"
              + " (set it when the host name is not like that)");
    }
    String scheme = String.valueOf(events.getScheme());
    if (!(scheme.equals("nats") || scheme.equals("tls"))
        || events.getHost() == null
        || !(events.getRawPath() == null || events.getRawPath().isEmpty())
        || events.getRawQuery() != null) {
      throw new BadInput(
          "config key 'distributed.events' '"
              + Printable.of(events.toString())
              + "' must be nats://HOST[:PORT] or tls://HOST[:PORT], e.g. nats://127.0.0.1:4222");
    }
  }

  /**
   * The default replica name: the first label of {@code hostName} ({@code web-1} of {@code
   * web-1.example.org}).
   */
  static String replicaOf(String hostName) {
    int dot = hostName.indexOf('.');
    return dot < 0 ? hostName : hostName.substring(0, dot);
  }
}
