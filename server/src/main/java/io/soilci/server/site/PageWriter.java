package io.soilci.server.site;

import io.soilci.files.AtomicFiles;
import io.soilci.result.SiteLayout;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Writes derived pages so that no two writers race on one page (Soil's bug #1169) and an older
 * version never lands over a newer one: each page renders under its own lock from the index as it
 * is then, so the last write reflects every change made before it began. A change that a later
 * render already covered is not rendered again; a page whose bytes did not change is not rewritten.
 */
final class PageWriter {
  private final SiteLayout layout;
  private final PageRenderer renderer;
  private final ConcurrentHashMap<String, Slot> slots = new ConcurrentHashMap<>();
  private final AtomicLong writes = new AtomicLong();
  private final ExecutorService pool;
  private final Consumer<String> changed;

  /**
   * {@code threads} pages are rendered and written at once: each write waits on fsync, and the file
   * system commits concurrent syncs together (10 pages: ~5 ms at once, ~60 ms in turn).
   */
  PageWriter(SiteLayout layout, PageRenderer renderer, int threads) {
    this(layout, renderer, threads, path -> {});
  }

  /** As above; {@code changed} hears the path of each page written or deleted, once it is. */
  PageWriter(SiteLayout layout, PageRenderer renderer, int threads, Consumer<String> changed) {
    this.layout = layout;
    this.renderer = renderer;
    this.changed = changed;
    this.pool =
        Executors.newFixedThreadPool(
            threads,
            r -> {
              Thread thread = new Thread(r, "soil-page-writer");
              thread.setDaemon(true);
              return thread;
            });
  }

  /** Brings every page up to date, in parallel; returns when all are written. */
  void updateAll(Collection<Page> pages) throws IOException {
    List<Future<?>> writing = new ArrayList<>(pages.size());
    for (Page page : pages) {
      writing.add(
          pool.submit(
              () -> {
                update(page);
                return null;
              }));
    }
    IOException failure = null;
    for (Future<?> future : writing) {
      try {
        future.get();
      } catch (ExecutionException e) {
        if (failure == null) {
          failure = e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted while writing pages");
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  /**
   * Brings every page up to date, all or none: each changed page is first written to a temp file
   * beside it, and only when every one is written are they renamed into place (a rename needs no
   * space). A failure (a full disk) deletes the temp files and the folders made for them and leaves
   * every page as it was, so a refused event changes nothing.
   */
  void updateAllOrNone(Collection<Page> pages) throws IOException {
    // Noted before any page is written: pages written at once share new folders.
    NewFolders made = new NewFolders();
    for (Page page : pages) {
      made.noteFoldersOf(layout.path(page.path()));
    }
    List<Future<Optional<Prepared>>> preparing = new ArrayList<>(pages.size());
    for (Page page : pages) {
      preparing.add(pool.submit(() -> prepare(page)));
    }
    List<Prepared> prepared = new ArrayList<>();
    IOException failure = null;
    for (Future<Optional<Prepared>> future : preparing) {
      try {
        future.get().ifPresent(prepared::add);
      } catch (ExecutionException e) {
        if (failure == null) {
          failure = e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        failure = new InterruptedIOException("interrupted while writing pages");
      }
    }
    if (failure != null) {
      for (Prepared page : prepared) {
        page.discard();
      }
      made.removeEmpty();
      throw failure;
    }
    for (Prepared page : prepared) {
      commit(page);
    }
  }

  /** Renders {@code page}; when it changed, writes the new bytes to a temp file beside it. */
  private Optional<Prepared> prepare(Page page) throws IOException {
    Slot slot = slots.computeIfAbsent(page.path(), p -> new Slot());
    long mine = slot.requested.incrementAndGet();
    synchronized (slot) {
      if (slot.rendered >= mine) {
        return Optional.empty();
      }
      long upTo = slot.requested.get();
      byte[] bytes = page.render(renderer);
      Path file = layout.path(page.path());
      if (bytes == null) {
        return Optional.of(new Prepared(slot, page.path(), file, null, null, upTo));
      }
      byte[] digest = sha256(bytes);
      if (slot.digest == null && Files.isRegularFile(file)) {
        slot.digest = sha256(Files.readAllBytes(file));
      }
      if (Arrays.equals(slot.digest, digest) && Files.exists(file)) {
        slot.rendered = upTo;
        return Optional.empty();
      }
      Path temp = AtomicFiles.createTemp(file);
      try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
        channel.write(ByteBuffer.wrap(bytes));
        channel.force(true);
      } catch (IOException e) {
        Files.deleteIfExists(temp);
        throw e;
      }
      return Optional.of(new Prepared(slot, page.path(), file, temp, digest, upTo));
    }
  }

  /** Puts a prepared page in place unless a newer render already did. */
  private void commit(Prepared page) throws IOException {
    Slot slot = page.slot();
    synchronized (slot) {
      if (slot.rendered >= page.upTo()) {
        page.discard();
        return;
      }
      Path temp = page.temp();
      if (temp == null) {
        delete(page.file(), slot);
      } else {
        AtomicFiles.commit(temp, page.file());
        slot.digest = page.digest();
        slot.writes++;
        writes.incrementAndGet();
        changed.accept(page.path());
      }
      slot.rendered = page.upTo();
    }
  }

  /** A rendered page waiting in {@code temp} (null: the page is to be deleted). */
  private record Prepared(
      Slot slot, String path, Path file, @Nullable Path temp, byte @Nullable [] digest, long upTo) {
    void discard() throws IOException {
      if (temp != null) {
        Files.deleteIfExists(temp);
      }
    }
  }

  void close() {
    pool.shutdown();
  }

  /** Brings {@code page} up to date with the index; call after the index changed. */
  void update(Page page) throws IOException {
    Slot slot = slots.computeIfAbsent(page.path(), p -> new Slot());
    long mine = slot.requested.incrementAndGet();
    synchronized (slot) {
      if (slot.rendered >= mine) {
        return;
      }
      long upTo = slot.requested.get();
      write(page, slot, page.render(renderer));
      slot.rendered = upTo;
    }
  }

  private void write(Page page, Slot slot, byte @Nullable [] bytes) throws IOException {
    Path file = layout.path(page.path());
    if (bytes == null) {
      delete(file, slot);
      return;
    }
    byte[] digest = sha256(bytes);
    if (slot.digest == null && Files.isRegularFile(file)) {
      // First write since start: the file may already hold these bytes.
      slot.digest = sha256(Files.readAllBytes(file));
    }
    if (Arrays.equals(slot.digest, digest) && Files.exists(file)) {
      return;
    }
    AtomicFiles.write(file, bytes);
    slot.digest = digest;
    slot.writes++;
    writes.incrementAndGet();
    changed.accept(page.path());
  }

  /** Deletes a page that no longer exists (e.g. a run retention removed). */
  private void delete(Path file, Slot slot) throws IOException {
    slot.digest = null;
    if (Files.deleteIfExists(file)) {
      AtomicFiles.syncDirectory(Objects.requireNonNull(file.toAbsolutePath().getParent()));
      slot.writes++;
      writes.incrementAndGet();
    }
  }

  /** How many times this writer wrote or deleted {@code path} (for tests and metrics). */
  int writeCount(String path) {
    Slot slot = slots.get(path);
    if (slot == null) {
      return 0;
    }
    synchronized (slot) {
      return slot.writes;
    }
  }

  /** Files written or deleted since start. */
  long writes() {
    return writes.get();
  }

  private static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  private static final class Slot {
    final AtomicLong requested = new AtomicLong();
    long rendered;
    int writes;
    byte @Nullable [] digest;
  }
}
