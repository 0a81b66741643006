package io.soilci.server.auth;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.KeyValue;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.api.KeyValueEntry;
import io.nats.client.api.KeyValueOperation;
import io.nats.client.api.KeyValueWatcher;
import io.nats.client.impl.NatsKeyValueWatchSubscription;
import io.nats.client.support.NatsJetStreamConstants;
import io.soilci.result.BadInput;
import io.soilci.server.nats.KeyValueBuckets;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.LoggerFactory;

/**
 * The distributed mode's worker tokens: the NATS key-value bucket {@value #BUCKET}, one key per
 * worker (its name in URL-safe base64) holding what {@code workers.json} holds of it (name, scopes,
 * salt, iterations and hash: never the secret), shared by every replica over its own {@code
 * workers.json}. Each replica watches the bucket, so a worker added, replaced or removed there
 * ({@code add-worker} or {@code remove-worker} with the cluster's config) counts on every replica
 * at once, without a restart. A name the bucket has (or had: a removed worker leaves a delete
 * marker) is looked up there only; any other name in the replica's {@code workers.json}, as before.
 */
public final class SharedWorkers extends Workers implements AutoCloseable {
  public static final String BUCKET = "SOIL_WORKERS";
  private static final Duration FIRST_READ = Duration.ofSeconds(10);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final WorkerStore local;
  private final Map<String, Optional<WorkerStore.Entry>> shared = new HashMap<>();
  private final CountDownLatch read = new CountDownLatch(1);
  private @Nullable NatsKeyValueWatchSubscription watch;
  private long changes;

  private SharedWorkers(WorkerStore local) {
    this.local = local;
  }

  /**
   * The bucket on {@code connection} (made when missing) over {@code local}; returns once every
   * worker the bucket holds is read.
   */
  public static SharedWorkers open(Connection connection, WorkerStore local) throws IOException {
    SharedWorkers workers = new SharedWorkers(local);
    KeyValue kv = bucket(connection);
    try {
      workers.watch = kv.watchAll(workers.new Watcher());
      if (!workers.read.await(FIRST_READ.toSeconds(), TimeUnit.SECONDS)) {
        workers.close();
        throw new IOException(
            "the workers' bucket "
                + BUCKET
                + " was not read within "
                + FIRST_READ.toSeconds()
                + " s");
      }
    } catch (JetStreamApiException e) {
      throw new IOException("cannot watch the workers' bucket " + BUCKET + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while reading the workers' bucket " + BUCKET, e);
    }
    return workers;
  }

  /**
   * Adds {@code worker} to the bucket on {@code connection} and returns its secret, which is stored
   * only hashed. A name the bucket holds is refused unless {@code replace}.
   */
  public static String add(Connection connection, Worker worker, boolean replace)
      throws IOException {
    KeyValue kv = bucket(connection);
    String secret = SecretHash.newSecret();
    byte[] value =
        JSON.writeValueAsBytes(
            WorkerStore.json(
                new WorkerStore.Entry(worker, SecretHash.of(secret, SecretHash.ITERATIONS))));
    try {
      if (replace) {
        kv.put(key(worker.name()), value);
      } else {
        kv.create(key(worker.name()), value);
      }
    } catch (JetStreamApiException e) {
      if (!replace && e.getApiErrorCode() == NatsJetStreamConstants.JS_WRONG_LAST_SEQUENCE) {
        throw new BadInput(
            "worker '"
                + worker.name()
                + "' exists in "
                + BUCKET
                + "; use --replace to give it a new token");
      }
      throw new IOException(
          "cannot store worker '" + worker.name() + "' in " + BUCKET + ": " + e, e);
    }
    return secret;
  }

  /**
   * Removes the worker named {@code name}: its key gets a delete marker, which every replica obeys
   * over its {@code workers.json} too. Returns whether the bucket held a token of it.
   */
  public static boolean remove(Connection connection, String name) throws IOException {
    KeyValue kv = bucket(connection);
    try {
      KeyValueEntry entry = kv.get(key(Worker.requireName(name)));
      kv.delete(key(name));
      return entry != null && entry.getOperation() == KeyValueOperation.PUT;
    } catch (JetStreamApiException e) {
      throw new IOException("cannot remove worker '" + name + "' from " + BUCKET + ": " + e, e);
    }
  }

  /** The names of the workers the bucket on {@code connection} holds a token of, sorted. */
  public static List<String> names(Connection connection) throws IOException {
    KeyValue kv = bucket(connection);
    try {
      return kv.keys().stream().map(SharedWorkers::nameOf).sorted().toList();
    } catch (JetStreamApiException e) {
      throw new IOException("cannot list the workers of " + BUCKET + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while listing the workers of " + BUCKET, e);
    }
  }

  /** A connection to the cluster's nats-server at {@code url}, for a command. */
  public static Connection connect(String url) throws IOException {
    Options options =
        new Options.Builder()
            .server(url)
            .connectionName("soil-server workers")
            .connectionTimeout(Duration.ofSeconds(5))
            .maxReconnects(0)
            .build();
    try {
      return Nats.connect(options);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while connecting to " + url, e);
    } catch (IOException e) {
      throw new IOException(
          "cannot connect to the cluster's nats-server at "
              + url
              + " ("
              + e.getMessage()
              + "): start it, or fix distributed.events",
          e);
    }
  }

  private static KeyValue bucket(Connection connection) throws IOException {
    return KeyValueBuckets.open(connection, BUCKET);
  }

  /** The name a key is of ({@link #key}); a key put there by other means, as it is. */
  private static String nameOf(String key) {
    try {
      return new String(Base64.getUrlDecoder().decode(key), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return key;
    }
  }

  /** A worker's key: its name in URL-safe base64 (a name may hold dots a key may not). */
  static String key(String name) {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(name.getBytes(StandardCharsets.UTF_8));
  }

  @Override
  Optional<WorkerStore.Entry> find(String name) throws IOException {
    synchronized (shared) {
      Optional<WorkerStore.Entry> found = shared.get(name);
      if (found != null) {
        return found;
      }
    }
    return local.find(name);
  }

  @Override
  String version() throws IOException {
    long seen;
    synchronized (shared) {
      seen = changes;
    }
    return local.version() + "|" + BUCKET + " " + seen;
  }

  @Override
  int iterations() {
    return local.iterations();
  }

  @Override
  public void close() {
    NatsKeyValueWatchSubscription current = watch;
    if (current != null) {
      try {
        current.unsubscribe();
      } catch (RuntimeException e) {
        // Already closed with its connection.
      }
    }
  }

  /** Keeps {@link #shared} as the bucket is: every worker at the start, then each change. */
  private final class Watcher implements KeyValueWatcher {
    @Override
    public void watch(KeyValueEntry entry) {
      String name;
      try {
        name = new String(Base64.getUrlDecoder().decode(entry.getKey()), StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        LoggerFactory.getLogger(SharedWorkers.class)
            .warn(
                "key '{}' in {} is not a worker's name in base64: skipped", entry.getKey(), BUCKET);
        return;
      }
      Optional<WorkerStore.Entry> now = Optional.empty();
      if (entry.getOperation() == KeyValueOperation.PUT) {
        try {
          now = Optional.of(WorkerStore.entry(JSON.readTree(entry.getValue()), BUCKET + " scope"));
        } catch (IOException | RuntimeException e) {
          // Refused rather than left to an older token in a replica's workers.json.
          LoggerFactory.getLogger(SharedWorkers.class)
              .warn("worker '{}' in {} is not readable, refused: {}", name, BUCKET, e.toString());
        }
      }
      synchronized (shared) {
        shared.put(name, now);
        changes++;
      }
    }

    @Override
    public void endOfData() {
      read.countDown();
    }
  }
}
