package io.soilci.server.cluster;

import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.KeyValue;
import io.nats.client.api.KeyValueEntry;
import io.nats.client.support.NatsJetStreamConstants;
import io.soilci.result.JobRef;
import io.soilci.server.nats.KeyValueBuckets;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One upload of a job at a time in the whole cluster: a key per job in the JetStream key-value
 * bucket {@value #BUCKET}, created (only when absent) before the upload is checked against this
 * replica's state and its files are put in the object store, and deleted once its change is
 * published. So the check sees every upload of the job published before (the replica catches up
 * after taking the key), two uploads of one job never put their files in the object store at once
 * (one's files would name the other's change), and of two add-only uploads of one new job the
 * second finds the first's files and is refused as on one box. The bucket's TTL frees the key of a
 * replica that died holding it, and the replica itself frees it when it starts again ({@link
 * #freeOwn}).
 */
final class UploadLocks {
  private static final Logger LOG = LoggerFactory.getLogger(UploadLocks.class);
  static final String BUCKET = "soil-uploads";
  private static final long POLL_MILLIS = 20;

  private final KeyValue kv;
  private final String replica;

  private UploadLocks(KeyValue kv, String replica) {
    this.kv = kv;
    this.replica = replica;
  }

  /** The locks on {@code connection}, each freed {@code ttl} after it was taken at the latest. */
  static UploadLocks open(Connection connection, String replica, Duration ttl) throws IOException {
    return new UploadLocks(KeyValueBuckets.open(connection, BUCKET, ttl), replica);
  }

  /**
   * The key of {@code job}: {@code HOST/RUN/JOB} with each {@code .} written {@code =} (a key may
   * not end with a dot, and a name never holds {@code =}).
   */
  static String key(JobRef job) {
    return job.toString().replace('.', '=');
  }

  /**
   * Takes {@code job}'s lock, waiting at most {@code wait} while another upload holds it; {@link
   * Replication.NotApplied} when it cannot (held all that time, or the stream does not answer or
   * refuses the lock for another reason than its key existing).
   */
  Held take(JobRef job, Duration wait) throws Replication.NotApplied {
    String key = key(job);
    long deadline = System.nanoTime() + wait.toNanos();
    byte[] value = replica.getBytes(StandardCharsets.UTF_8);
    while (true) {
      try {
        return new Held(key, kv.create(key, value));
      } catch (JetStreamApiException e) {
        if (e.getApiErrorCode() != NatsJetStreamConstants.JS_WRONG_LAST_SEQUENCE) {
          throw new Replication.NotApplied(
              "the change stream refused the lock of " + job + " in " + BUCKET + " (" + e + ")", e);
        }
        // Held by another upload (the key exists): wait for it below.
      } catch (IOException | RuntimeException e) {
        throw new Replication.NotApplied(
            "the change stream did not answer for the lock of " + job + " (" + e + ")", e);
      }
      if (System.nanoTime() > deadline) {
        throw new Replication.NotApplied(
            "another upload of "
                + job
                + " is in progress at replica "
                + holder(key)
                + " for more than "
                + wait.toSeconds()
                + " s");
      }
      try {
        Thread.sleep(POLL_MILLIS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new Replication.NotApplied("interrupted while waiting for the lock of " + job, e);
      }
    }
  }

  private String holder(String key) {
    try {
      KeyValueEntry entry = kv.get(key);
      return entry == null ? "(none now)" : entry.getValueAsString();
    } catch (IOException | JetStreamApiException | RuntimeException e) {
      return "(unknown: " + e.getMessage() + ")";
    }
  }

  /**
   * Frees the keys this replica holds; called at its start, when it has no upload in flight, so
   * each key with its name is one it took before it died (SIGKILLed between the puts of an upload,
   * say). Left alone, such a key keeps every upload of its job out until the TTL: the worker's
   * upload sent again answers 503 all that time, and a worker that gives up meanwhile leaves the
   * files the dead upload put in the bucket, named by no job. Replica names are unique in a
   * cluster; a key another replica took is left, and so is one taken again since it was read (the
   * delete names the revision read). Never throws: the TTL frees what this could not.
   */
  void freeOwn() {
    List<String> freed = new ArrayList<>();
    try {
      for (String key : kv.keys()) {
        KeyValueEntry entry = kv.get(key);
        if (entry == null
            || entry.getValue() == null
            || !replica.equals(entry.getValueAsString())) {
          continue;
        }
        try {
          kv.delete(key, entry.getRevision());
          freed.add(key);
        } catch (JetStreamApiException e) {
          // Taken again since it was read: not this replica's key any more.
        }
      }
    } catch (IOException | JetStreamApiException | RuntimeException e) {
      LOG.warn(
          "replica {}: the upload locks it held before this start were not freed ({}); the TTL"
              + " frees them",
          replica,
          e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      LOG.warn(
          "replica {}: interrupted while freeing the upload locks it held before this start; the"
              + " TTL frees them",
          replica);
    }
    if (!freed.isEmpty()) {
      LOG.info(
          "replica {}: freed the upload locks it held when it stopped (an upload cut off): {}",
          replica,
          freed);
    }
  }

  /** Gives up {@code held}; when that fails, the bucket's TTL frees it. */
  void release(Held held) {
    try {
      kv.delete(held.key(), held.revision());
    } catch (IOException | JetStreamApiException | RuntimeException e) {
      // The TTL frees it.
    }
  }

  /** A lock this replica took: its key and the revision it created. */
  record Held(String key, long revision) {}
}
