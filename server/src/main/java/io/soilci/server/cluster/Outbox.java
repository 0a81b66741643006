package io.soilci.server.cluster;

import io.soilci.files.AtomicFiles;
import io.soilci.threads.Daemons;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The uploads whose files this replica puts in the object store, until the change stream took their
 * change: each change is written here ({@code STATE/cluster/outbox/SHA256-OF-ID.json}, synced)
 * before the first file is put, and deleted once the stream acknowledged it (or when the files were
 * not put). A change whose publish failed (nats-server down, killed, or refusing) stays, and is
 * published again every second, and at the replica's next start, until the stream takes it: the
 * bucket never holds an upload's files that no change names for longer than the stream is away, and
 * the site is then what {@code regen} makes of the bucket. Publishing it later is safe: its message
 * id is the upload's (a copy the stream already has is one message), and a feed applies it only
 * while the bucket's files still have its hashes (a later upload of the job supersedes it).
 */
final class Outbox implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Outbox.class);
  private static final Duration RETRY = Duration.ofSeconds(1);
  private static final String SUFFIX = ".json";
  private static final Duration CLOSE_WAIT = Duration.ofSeconds(10);

  private final String replica;
  private final Path folder;
  private final ChangeStream stream;
  // The changes whose requests are still putting or publishing them, by file name, with how many.
  private final Map<String, Integer> inFlight = new HashMap<>();
  private final Thread thread;
  private volatile boolean closed;

  /** An outbox in {@code folder} whose changes go to {@code stream}. */
  Outbox(String replica, Path folder, ChangeStream stream) {
    this.replica = replica;
    this.folder = folder;
    this.stream = stream;
    this.thread = Daemons.of("soil-outbox", this::run);
  }

  /** Starts publishing what is left here (from before a restart, or a failed publish). */
  void start() {
    thread.start();
  }

  /**
   * Keeps {@code change} (synced) before its files are put; its request publishes it, and it is
   * published from here only once the request gave up ({@link #keep}).
   */
  Entry hold(Change change) throws IOException {
    Files.createDirectories(folder);
    String name = Change.sha256(change.id().getBytes(StandardCharsets.UTF_8)) + SUFFIX;
    Entry entry = new Entry(change, folder.resolve(name));
    synchronized (inFlight) {
      inFlight.merge(name, 1, Integer::sum);
    }
    AtomicFiles.write(entry.file, change.encode());
    return entry;
  }

  /** The stream took {@code entry}'s change: it goes. */
  void published(Entry entry) throws IOException {
    Files.deleteIfExists(entry.file);
    release(entry);
  }

  /**
   * {@code entry}'s files were not all put: it goes, unless another request of the same upload (the
   * same files) still puts them.
   */
  void notPut(Entry entry) throws IOException {
    synchronized (inFlight) {
      if (release(entry)) {
        Files.deleteIfExists(entry.file);
      }
    }
  }

  /** Whether no other request holds {@code entry}'s change now. */
  private boolean release(Entry entry) {
    synchronized (inFlight) {
      return inFlight.merge(entry.file.getFileName().toString(), -1, Integer::sum) <= 0
          && inFlight.remove(entry.file.getFileName().toString()) != null;
    }
  }

  /** The publish of {@code entry}'s change failed: it is published from here until it is taken. */
  void keep(Entry entry) {
    var unused = release(entry);
    LOG.warn(
        "replica {}: {} of {} not acknowledged by the change stream: its files are in the object"
            + " store, and it is published again until the stream takes it ({})",
        replica,
        entry.change.kind(),
        entry.change.job(),
        entry.file);
  }

  /** The changes left here to publish. */
  List<Path> left() throws IOException {
    List<Path> files = new ArrayList<>();
    if (!Files.isDirectory(folder)) {
      return files;
    }
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(folder, "*" + SUFFIX)) {
      for (Path file : entries) {
        if (AtomicFiles.isTemp(file)) {
          continue; // a change being written (hold): never one to publish
        }
        synchronized (inFlight) {
          if (!inFlight.containsKey(file.getFileName().toString())) {
            files.add(file);
          }
        }
      }
    }
    return files;
  }

  private void run() {
    while (!closed) {
      try {
        publishLeft();
        Thread.sleep(RETRY.toMillis());
      } catch (InterruptedException e) {
        return;
      } catch (IOException | RuntimeException e) {
        LOG.warn("replica {}: reading the outbox {} failed: {}", replica, folder, e.toString());
      }
    }
  }

  /** Publishes every change left here; stops at the first the stream does not take. */
  private void publishLeft() throws IOException {
    for (Path file : left()) {
      Change change;
      try {
        change = Change.decode(Files.readAllBytes(file));
      } catch (NoSuchFileException e) {
        continue; // published by its request meanwhile
      } catch (IOException e) {
        LOG.error("replica {}: {} is not a change, deleted: {}", replica, file, e.getMessage());
        Files.deleteIfExists(file);
        continue;
      }
      long sequence;
      try {
        sequence = stream.publish(change);
      } catch (ChangeStream.Unavailable e) {
        return;
      }
      Files.deleteIfExists(file);
      LOG.info(
          "replica {}: {} of {} published from the outbox as change {}",
          replica,
          change.kind(),
          change.job(),
          sequence);
    }
  }

  @Override
  public void close() {
    closed = true;
    Daemons.stop(thread, CLOSE_WAIT);
  }

  /** A change kept in the outbox while its request puts its files and publishes it. */
  static final class Entry {
    private final Change change;
    private final Path file;

    private Entry(Change change, Path file) {
      this.change = change;
      this.file = file;
    }
  }
}
