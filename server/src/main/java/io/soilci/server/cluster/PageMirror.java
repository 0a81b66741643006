package io.soilci.server.cluster;

import io.soilci.result.WorkerHost;
import io.soilci.server.storage.ObjectStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies the pages this replica writes to the object store, for the hosts whose role it holds
 * ({@link HostLeases}; the site-wide pages with the {@code site} role), so that the bucket holds
 * one published copy that a CDN can serve. Told of each page written ({@link #changed}, never
 * blocking); one thread puts them, the latest version of each, and tries a failed put again.
 */
public final class PageMirror implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PageMirror.class);

  private final ObjectStore bucket;
  private final Path root;
  private final HostLeases leases;
  private final Set<String> pending = new LinkedHashSet<>();
  private final Thread thread;
  private boolean closed;

  public PageMirror(ObjectStore bucket, Path root, HostLeases leases) {
    this.bucket = bucket;
    this.root = root;
    this.leases = leases;
    this.thread = new Thread(this::run, "soil-page-mirror");
    thread.setDaemon(true);
  }

  public void start() {
    thread.start();
  }

  /** The page at {@code path} (from the site root) was written or deleted. */
  public void changed(String path) {
    if (!leases.holds(roleOf(path))) {
      return;
    }
    synchronized (pending) {
      pending.add(path);
      pending.notifyAll();
    }
  }

  /** The role whose holder mirrors {@code path}: its host's, else the site's. */
  static String roleOf(String path) {
    int slash = path.indexOf('/');
    if (slash > 0) {
      String first = path.substring(0, slash);
      for (WorkerHost host : WorkerHost.values()) {
        if (host.prefix().equals(first)) {
          return HostLeases.hostKey(first);
        }
      }
    }
    return HostLeases.SITE;
  }

  private void run() {
    while (true) {
      List<String> batch;
      synchronized (pending) {
        while (pending.isEmpty() && !closed) {
          try {
            pending.wait();
          } catch (InterruptedException e) {
            return;
          }
        }
        if (pending.isEmpty()) {
          return;
        }
        batch = new ArrayList<>(pending);
        pending.clear();
      }
      for (String path : batch) {
        mirror(path);
      }
    }
  }

  private void mirror(String path) {
    try {
      Path file = root.resolve(path);
      if (Files.isRegularFile(file)) {
        bucket.put(path, Files.readAllBytes(file), contentType(path));
      } else {
        bucket.delete(path);
      }
    } catch (IllegalArgumentException e) {
      LOG.warn("page {} not mirrored to the store: {}", path, e.getMessage());
    } catch (IOException e) {
      LOG.warn("page {} not mirrored to the store yet, trying again: {}", path, e.toString());
      synchronized (pending) {
        pending.add(path);
      }
      try {
        Thread.sleep(500);
      } catch (InterruptedException interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  static String contentType(String path) {
    if (path.endsWith(".html")) {
      return "text/html; charset=utf-8";
    }
    if (path.endsWith(".json")) {
      return "application/json";
    }
    if (path.endsWith(".css")) {
      return "text/css; charset=utf-8";
    }
    if (path.endsWith(".js")) {
      return "text/javascript; charset=utf-8";
    }
    if (path.endsWith(".svg")) {
      return "image/svg+xml";
    }
    return "text/plain; charset=utf-8";
  }

  @Override
  public void close() {
    synchronized (pending) {
      closed = true;
      pending.notifyAll();
    }
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
