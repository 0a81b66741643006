package io.soilci.server.cluster;

import io.soilci.server.storage.ObjectStore;
import io.soilci.threads.Daemons;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bucket's copy of the pages the mirror is told of, made beside their announcements: each page
 * wanted ({@link #want}) is put as the site folder has it when its put starts (or deleted from the
 * bucket when the folder no longer has it), {@link #AT_ONCE} pages at a time and one request at a
 * time per page, so an earlier version never lands over a later one; a page wanted again while its
 * put is under way is put again after it. A put that fails is tried again every 0.5 s while the
 * page's role is still mirrored here ({@code mirrors}); one given up is left to the reconcile of
 * the role's next taker ({@link PageMirror#reconcile}), which puts every page the bucket lacks.
 */
final class PagePuts implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PagePuts.class);

  /**
   * How many pages go to the bucket at once: an event changes tens of pages, and one after the
   * other they were most of the time from an event to its page on a follower.
   */
  static final int AT_ONCE = 8;

  private static final long RETRY_MILLIS = 500;

  /** Told when the bucket has a page as the folder had it, or when its put was given up. */
  interface Listener {
    /**
     * The bucket holds {@code bytes} at {@code path} (null: no object there), the folder's bytes
     * when every want of the page up to {@code ticket} was made.
     */
    void put(String path, byte @Nullable [] bytes, long ticket);

    /** The wants of {@code path} up to {@code ticket} were given up (its role is not mirrored). */
    void dropped(String path, long ticket);
  }

  private final ObjectStore bucket;
  private final Path root;
  private final Predicate<String> mirrors;
  private final Listener listener;
  private final ExecutorService pool =
      Executors.newFixedThreadPool(AT_ONCE, Daemons.numbered("soil-page-mirror-put-"));

  /** The latest want of each page queued or under way. Guarded by this. */
  private final Map<String, Long> wanted = new HashMap<>();

  private long tickets;
  private volatile boolean closed;

  /**
   * Puts pages under {@code root} into {@code bucket} while {@code mirrors} says their path's role
   * is mirrored here, telling {@code listener} of each.
   */
  PagePuts(ObjectStore bucket, Path root, Predicate<String> mirrors, Listener listener) {
    this.bucket = bucket;
    this.root = root;
    this.mirrors = mirrors;
    this.listener = listener;
  }

  /**
   * The bucket is to hold the page at {@code path} as the folder has it from now on; returns this
   * want's ticket (increasing), which {@link Listener#put} names once it is met.
   */
  long want(String path) {
    long ticket;
    synchronized (this) {
      ticket = ++tickets;
      if (closed || wanted.put(path, ticket) != null) {
        return ticket; // closed, or a put of the page under way takes this want too
      }
    }
    try {
      pool.execute(() -> putLatest(path));
    } catch (RejectedExecutionException e) {
      if (gone(path, ticket)) {
        listener.dropped(path, ticket); // closed meanwhile
      }
    }
    return ticket;
  }

  /**
   * Puts {@code path} until the bucket has the folder's bytes of its latest want. The listener is
   * told before the page leaves {@link #wanted}, so that {@link #awaitIdle} covers it; when a later
   * want came meanwhile it is told again of that one.
   */
  private void putLatest(String path) {
    while (true) {
      long ticket = latest(path);
      if (ticket == 0) {
        return; // given up at close
      }
      if (closed || !mirrors.test(path)) {
        listener.dropped(path, ticket);
        if (gone(path, ticket)) {
          return;
        }
        continue;
      }
      byte @Nullable [] bytes;
      try {
        bytes = putOnce(path);
      } catch (IllegalArgumentException e) {
        LOG.warn("page {} not mirrored to the store: {}", path, e.getMessage());
        listener.dropped(path, ticket);
        if (gone(path, ticket)) {
          return;
        }
        continue;
      } catch (IOException | RuntimeException e) {
        LOG.warn("page {} not mirrored to the store yet, trying again: {}", path, e.toString());
        if (!pause()) {
          closed = true; // interrupted: only close does that
        }
        continue;
      }
      listener.put(path, bytes, ticket);
      if (gone(path, ticket)) {
        return;
      }
    }
  }

  /** The latest want of {@code path}, queued or under way (0: none, given up at close). */
  private synchronized long latest(String path) {
    Long ticket = wanted.get(path);
    return ticket == null ? 0 : ticket;
  }

  /**
   * Forgets {@code path} when {@code ticket} is still its latest want (or none is left); returns
   * whether it was.
   */
  private synchronized boolean gone(String path, long ticket) {
    Long latest = wanted.get(path);
    if (latest != null && latest != ticket) {
      return false;
    }
    wanted.remove(path);
    notifyAll();
    return true;
  }

  /** Puts the folder's bytes of {@code path} (or deletes the object); returns those bytes. */
  private byte @Nullable [] putOnce(String path) throws IOException {
    byte[] bytes = read(root.resolve(path));
    if (bytes == null) {
      bucket.delete(path);
    } else {
      bucket.put(path, bytes, PageMirror.contentType(path));
    }
    return bytes;
  }

  /** The bytes of the page {@code file}, or null when there is none (deleted, or not a file). */
  static byte @Nullable [] read(Path file) throws IOException {
    try {
      return Files.isRegularFile(file) ? Files.readAllBytes(file) : null;
    } catch (NoSuchFileException e) {
      return null; // deleted since it was found
    }
  }

  private static boolean pause() {
    try {
      Thread.sleep(RETRY_MILLIS);
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Waits at most {@code millis} until no put is queued or under way; returns whether none is. */
  boolean awaitIdle(long millis) {
    long deadline = System.nanoTime() + millis * 1_000_000L;
    synchronized (this) {
      try {
        while (!wanted.isEmpty()) {
          long left = (deadline - System.nanoTime()) / 1_000_000L;
          if (left <= 0) {
            return false;
          }
          wait(left);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
      return true;
    }
  }

  /**
   * Gives the puts under way at most {@code millis} to go through, then stops: those left are given
   * up (the role's next taker puts what the bucket lacks).
   */
  void close(long millis) {
    var unused = awaitIdle(millis);
    Map<String, Long> left;
    synchronized (this) {
      closed = true;
      left = new HashMap<>(wanted);
    }
    pool.shutdownNow();
    try {
      pool.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    // Those never started (a task under way tells its own).
    synchronized (this) {
      left.keySet().retainAll(wanted.keySet());
      wanted.clear();
    }
    left.forEach(listener::dropped);
  }

  @Override
  public void close() {
    close(0);
  }
}
