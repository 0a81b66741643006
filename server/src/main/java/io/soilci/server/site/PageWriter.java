package io.soilci.server.site;

import io.soilci.files.AtomicFiles;
import io.soilci.result.FolderIsAFile;
import io.soilci.result.SiteLayout;
import io.soilci.threads.Daemons;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.zip.CRC32C;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes derived pages so that no two writers race on one page (Soil's bug #1169) and an older
 * version never lands over a newer one: each page renders under its own lock from the index as it
 * is then, so the last write reflects every change made before it began. A change that a later
 * render already covered is not rendered again; a page whose bytes did not change is not rewritten.
 */
final class PageWriter {
  private static final Logger LOG = LoggerFactory.getLogger(PageWriter.class);

  /** How long a deferred page that failed waits before it is tried again. */
  private static final long RETRY_MILLIS = 1000;

  /**
   * The shortest time from one batch of deferred pages to the next: the events of that time are
   * rendered together, so a stream of events renders each host page at most this often. A page
   * deferred after a quiet spell is rendered at once.
   */
  private static final long BATCH_MILLIS = 100;

  /** How long stopping waits for deferred pages to be written. */
  private static final long CLOSE_MILLIS = 10_000;

  private final SiteLayout layout;
  private final PageRenderer renderer;
  private final PageJournal journal;
  private final ConcurrentHashMap<String, Slot> slots = new ConcurrentHashMap<>();
  private final AtomicLong writes = new AtomicLong();
  private final ExecutorService pool;
  private final Consumer<String> changed;

  /**
   * Pages whose render was left to {@link #background} ({@link #defer}), by path, until written;
   * guarded by itself for changes, read without a lock.
   */
  private final ConcurrentHashMap<String, Page> pending = new ConcurrentHashMap<>();

  /** Pages whose last deferred write failed and that wait for the next try. */
  private final Set<String> failing = ConcurrentHashMap.newKeySet();

  /** Pages deferred and not yet taken by the background writer, in order; guarded by pending. */
  private final LinkedHashSet<Page> queued = new LinkedHashSet<>();

  /**
   * Pages changed here that another replica renders ({@link PageOwners}), each with the position of
   * the last change that left it; changed under {@code pending}'s lock, read without.
   */
  private final ConcurrentHashMap<String, Left> left = new ConcurrentHashMap<>();

  private record Left(Page page, long position) {}

  private volatile PageOwners owners = PageOwners.ALL;
  private final AtomicLong renders = new AtomicLong();

  /** Calls of {@link #defer} so far, and how many of them are written; guarded by pending. */
  private long deferCalls;

  private long deferCallsWritten;

  private final @Nullable Thread background;
  private boolean closing;

  /**
   * {@code threads} pages are rendered and written at once; {@code journal} decides whether a write
   * waits for the disk ({@link PageJournal}).
   */
  PageWriter(SiteLayout layout, PageRenderer renderer, PageJournal journal, int threads) {
    this(layout, renderer, journal, threads, path -> {});
  }

  /** As above; {@code changed} hears the path of each page written or deleted, once it is. */
  PageWriter(
      SiteLayout layout,
      PageRenderer renderer,
      PageJournal journal,
      int threads,
      Consumer<String> changed) {
    this.layout = layout;
    this.renderer = renderer;
    this.journal = journal;
    this.changed = changed;
    this.pool = Executors.newFixedThreadPool(threads, Daemons.named("soil-page-writer"));
    if (journal.deferred()) {
      journal.keepNamedWhile(page -> pending.containsKey(page.path()));
      this.background = Daemons.start("soil-page-background", this::writeDeferred);
    } else {
      this.background = null;
    }
  }

  /**
   * Leaves {@code pages} to the background writer, which renders each from the index as it is then
   * (pages deferred by a burst of changes are rendered once). Call after the index changed, inside
   * the change's {@link PageJournal#begin span} that named the pages: the journal keeps naming a
   * page until it is written, so a crash meanwhile has it rendered again at start. Without a
   * deferring journal ({@code regen}) the pages are written at once.
   */
  void defer(Collection<Page> all) throws IOException {
    if (background == null) {
      updateAll(all);
      return;
    }
    Collection<Page> pages = ownedHere(all);
    if (pages.isEmpty()) {
      return; // every page left to another replica: nothing for the background writer
    }
    synchronized (pending) {
      deferCalls++;
      for (Page page : pages) {
        pending.put(page.path(), page);
        queued.add(page);
      }
      pending.notifyAll();
    }
  }

  /**
   * True while the page at {@code path} (from the site root, as {@link Page#path}) was changed and
   * its new version is not written yet ({@link #defer}).
   */
  boolean pending(String path) {
    return pending.containsKey(path) || left.containsKey(path);
  }

  /** From now on only the pages {@code owners} names are rendered here; the others are left. */
  void renderOnly(PageOwners owners) {
    this.owners = owners;
  }

  /**
   * The pages of {@code pages} this replica renders; the others are left ({@link #left}), each
   * until its renderer announced its pages as far as the change being applied.
   */
  private Collection<Page> ownedHere(Collection<Page> pages) {
    PageOwners now = owners;
    if (now == PageOwners.ALL) {
      return pages;
    }
    List<Page> mine = new ArrayList<>(pages.size());
    List<Page> others = new ArrayList<>();
    for (Page page : pages) {
      (now.rendersHere(page.path()) ? mine : others).add(page);
    }
    if (!others.isEmpty()) {
      long position = now.position();
      synchronized (pending) {
        for (Page page : others) {
          left.merge(
              page.path(),
              new Left(page, position),
              (was, is) -> was.position() >= is.position() ? was : is);
          // Announced meanwhile as far as this change: the fetched copy is current already.
          Left entry = left.get(page.path());
          if (entry != null && entry.position() <= now.announced(page.path())) {
            left.remove(page.path(), entry);
          }
        }
      }
    }
    return mine;
  }

  /**
   * The renderer of the pages {@code which} names announced them as far as the change at {@code
   * position}, and this replica fetched them: those left by changes up to it are current.
   */
  void announced(Predicate<String> which, long position) {
    synchronized (pending) {
      left.values()
          .removeIf(entry -> entry.position() <= position && which.test(entry.page().path()));
      pending.notifyAll();
    }
  }

  /**
   * Renders the left pages {@code which} names (this replica took their role: it renders them now);
   * returns their paths.
   */
  List<String> renderLeft(Predicate<String> which) throws IOException {
    Map<String, Left> taken = new LinkedHashMap<>();
    synchronized (pending) {
      left.forEach(
          (path, entry) -> {
            if (which.test(path)) {
              taken.put(path, entry);
            }
          });
    }
    updateAll(taken.values().stream().map(Left::page).toList());
    synchronized (pending) {
      taken.forEach(left::remove);
      pending.notifyAll();
    }
    return List.copyOf(taken.keySet());
  }

  /**
   * Waits until every page deferred so far is written, at most {@code timeoutMillis}; returns
   * whether it is. Unlike {@link #awaitAllWritten}, pages deferred meanwhile are not waited for.
   */
  boolean awaitDeferredSoFar(long timeoutMillis) throws InterruptedException {
    if (background == null) {
      return true;
    }
    long mark;
    synchronized (pending) {
      mark = deferCalls;
    }
    return await(() -> deferCallsWritten >= mark, timeoutMillis);
  }

  /** Pages rendered here since start (written or not). */
  long renders() {
    return renders.get();
  }

  /**
   * Waits until the page at {@code path} is not {@link #pending}, at most {@code timeoutMillis};
   * returns whether it is written.
   */
  boolean awaitWritten(String path, long timeoutMillis) throws InterruptedException {
    // A page whose last write failed (a full disk) is not waited for: the reader gets the file as
    // it is at once, instead of holding a worker thread until the disk has room again.
    // A left page: its copy is current once its renderer announced as far as the change that left
    // it when the read began (a page changed by a steady stream of events stays left, but a reader
    // does not wait for the changes that came after it).
    Left was = left.get(path);
    PageOwners now = owners;
    BooleanSupplier fetched =
        () -> was == null || !left.containsKey(path) || now.announced(path) >= was.position();
    return await(
            () -> (!pending.containsKey(path) || failing.contains(path)) && fetched.getAsBoolean(),
            timeoutMillis)
        && !pending.containsKey(path)
        && fetched.getAsBoolean();
  }

  /**
   * Waits until no page deferred here is waiting to be written, at most {@code timeoutMillis};
   * returns whether.
   */
  boolean awaitAllWritten(long timeoutMillis) throws InterruptedException {
    return await(pending::isEmpty, timeoutMillis);
  }

  /**
   * Waits until no page is {@link #pending}: every page deferred here written, and every page left
   * to another replica announced and fetched; at most {@code timeoutMillis}; returns whether.
   */
  boolean awaitAllCurrent(long timeoutMillis) throws InterruptedException {
    return await(() -> pending.isEmpty() && left.isEmpty(), timeoutMillis);
  }

  private boolean await(BooleanSupplier done, long timeoutMillis) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    synchronized (pending) {
      while (!done.getAsBoolean()) {
        long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (left <= 0) {
          return false;
        }
        pending.wait(left);
      }
      return true;
    }
  }

  /**
   * The background writer: takes every page deferred so far, renders and writes each (under a
   * journal span, so a sync pass forgets none of them before its file is written), and then takes
   * the next batch, at least {@link #BATCH_MILLIS} after the last one began. A page deferred again
   * while it was being rendered stays pending for the next batch; a page that fails (a full disk)
   * stays pending and is tried again a second later.
   */
  private void writeDeferred() {
    long nextBatch = System.nanoTime();
    while (true) {
      List<Page> batch;
      long taking;
      synchronized (pending) {
        try {
          while (queued.isEmpty() && !closing) {
            pending.wait();
          }
          for (long left = nextBatch - System.nanoTime();
              left > 0 && !closing;
              left = nextBatch - System.nanoTime()) {
            TimeUnit.NANOSECONDS.timedWait(pending, left);
          }
        } catch (InterruptedException e) {
          return;
        }
        if (queued.isEmpty()) {
          return;
        }
        batch = new ArrayList<>(queued);
        queued.clear();
        taking = deferCalls;
      }
      nextBatch = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(BATCH_MILLIS);
      boolean failed = false;
      try (PageJournal.Span span = journal.begin(batch)) {
        for (Page page : batch) {
          try {
            update(page);
            synchronized (pending) {
              failing.remove(page.path());
              if (!queued.contains(page)) {
                pending.remove(page.path(), page);
              }
              pending.notifyAll();
            }
          } catch (FolderIsAFile e) {
            // Not written until an operator moves the file: trying again each second would only
            // fill the log. The next change of the page, the next start or regen writes it.
            LOG.warn("{}: not written: {}", page.path(), e.getMessage());
            synchronized (pending) {
              failing.remove(page.path());
              if (!queued.contains(page)) {
                pending.remove(page.path(), page);
              }
              pending.notifyAll();
            }
          } catch (IOException | RuntimeException e) {
            LOG.warn("{}: writing the page failed, trying again: {}", page.path(), e.toString());
            failed = true;
            synchronized (pending) {
              queued.add(page);
              failing.add(page.path());
              pending.notifyAll();
            }
          }
        }
      } catch (IOException | RuntimeException e) {
        LOG.warn("naming pages in the page journal failed, trying again: {}", e.toString());
        failed = true;
        synchronized (pending) {
          queued.addAll(batch);
          batch.forEach(page -> failing.add(page.path()));
          pending.notifyAll();
        }
      }
      if (!failed) {
        synchronized (pending) {
          deferCallsWritten = Math.max(deferCallsWritten, taking);
          pending.notifyAll();
        }
      } else {
        synchronized (pending) {
          try {
            pending.wait(RETRY_MILLIS);
          } catch (InterruptedException e) {
            return;
          }
        }
      }
    }
  }

  /**
   * Brings every page up to date, in parallel; returns when all are written. The pages are named in
   * the journal first.
   */
  void updateAll(Collection<Page> all) throws IOException {
    Collection<Page> pages = ownedHere(all);
    try (PageJournal.Span span = journal.begin(pages)) {
      writeAll(pages);
    }
  }

  /**
   * Writes every page; a page under a plain file where its folder should be ({@link FolderIsAFile})
   * is warned of and left alone, as the background writer does, so that one file put in the site by
   * hand (the host folder {@code github-jobs}, say) neither stops a start nor the other pages.
   */
  private void writeAll(Collection<Page> pages) throws IOException {
    List<Future<?>> writing = new ArrayList<>(pages.size());
    for (Page page : pages) {
      writing.add(
          submit(
              () -> {
                try {
                  update(page);
                } catch (FolderIsAFile e) {
                  LOG.warn("{}: not written: {}", page.path(), e.getMessage());
                }
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
  void updateAllOrNone(Collection<Page> all) throws IOException {
    Collection<Page> pages = ownedHere(all);
    try (PageJournal.Span span = journal.begin(pages)) {
      writeAllOrNone(pages);
    }
  }

  private void writeAllOrNone(Collection<Page> pages) throws IOException {
    // Noted before any page is written: pages written at once share new folders.
    NewFolders made = new NewFolders(layout);
    for (Page page : pages) {
      made.noteFoldersOf(layout.path(page.path()));
    }
    List<Future<Optional<Prepared>>> preparing = new ArrayList<>(pages.size());
    for (Page page : pages) {
      preparing.add(submit(() -> prepare(page)));
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

  /**
   * Runs {@code task} on the pool when writes wait for the disk (the waits overlap); else in the
   * caller's thread, which is cheaper than a hand-over for a render that takes well under a
   * millisecond.
   */
  private <T> Future<T> submit(Callable<T> task) {
    if (!journal.deferred()) {
      return pool.submit(task);
    }
    FutureTask<T> now = new FutureTask<>(task);
    now.run();
    return now;
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
      renders.incrementAndGet();
      byte[] bytes = page.render(renderer);
      Path file = layout.path(page.path());
      if (bytes == null) {
        return Optional.of(new Prepared(slot, page.path(), file, null, Slot.UNKNOWN, upTo));
      }
      long print = fingerprint(bytes);
      if (unchanged(slot, file, bytes, print)) {
        slot.rendered = upTo;
        return Optional.empty();
      }
      Path temp = AtomicFiles.createTemp(file);
      try {
        journal.writeTemp(temp, bytes);
      } catch (IOException e) {
        Files.deleteIfExists(temp);
        throw e;
      }
      return Optional.of(new Prepared(slot, page.path(), file, temp, print, upTo));
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
        delete(page.path(), page.file(), slot);
      } else {
        journal.put(temp, page.file());
        slot.print = page.print();
        slot.writes++;
        writes.incrementAndGet();
        changed.accept(page.path());
      }
      slot.rendered = page.upTo();
    }
  }

  /** A rendered page waiting in {@code temp} (null: the page is to be deleted). */
  private record Prepared(
      Slot slot, String path, Path file, @Nullable Path temp, long print, long upTo) {
    void discard() throws IOException {
      if (temp != null) {
        Files.deleteIfExists(temp);
      }
    }
  }

  /** Writes the pages still deferred (bounded: a page that keeps failing is left to start-up). */
  void close() {
    Thread thread = background;
    if (thread != null) {
      synchronized (pending) {
        closing = true;
        pending.notifyAll();
      }
      try {
        if (!awaitAllWritten(CLOSE_MILLIS)) {
          LOG.warn("pages not written at stop, left to the next start: {}", pending.keySet());
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      Daemons.stop(thread, Duration.ofMillis(CLOSE_MILLIS));
    }
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
      renders.incrementAndGet();
      write(page, slot, page.render(renderer));
      slot.rendered = upTo;
    }
  }

  private void write(Page page, Slot slot, byte @Nullable [] bytes) throws IOException {
    Path file = layout.path(page.path());
    if (bytes == null) {
      delete(page.path(), file, slot);
      return;
    }
    long print = fingerprint(bytes);
    try {
      if (unchanged(slot, file, bytes, print)) {
        return;
      }
      journal.write(file, bytes);
    } catch (FileSystemException e) {
      // A plain file where one of the page's folders should be: named, so that it can be moved.
      throw layout.named(file, e);
    }
    slot.print = print;
    slot.writes++;
    writes.incrementAndGet();
    changed.accept(page.path());
  }

  /** Deletes a page that no longer exists (e.g. a run retention removed). */
  private void delete(String path, Path file, Slot slot) throws IOException {
    slot.print = Slot.UNKNOWN;
    if (deleteIfExists(path, file)) {
      journal.deleted(file);
      slot.writes++;
      writes.incrementAndGet();
      changed.accept(path);
    }
  }

  /**
   * Deletes {@code file} if it exists. A plain file where one of its folders should be (a run
   * folder {@code github-jobs/1234} that is a file) means the page is not there: warned of, naming
   * that file, and left alone, so that the other pages are still written.
   */
  private boolean deleteIfExists(String path, Path file) throws IOException {
    try {
      return Files.deleteIfExists(file);
    } catch (FileSystemException e) {
      Optional<FolderIsAFile> plain = layout.folderIsAFile(file);
      if (plain.isPresent()) {
        LOG.warn("page {} is not there to delete, left alone: {}", path, plain.get().getMessage());
        return false;
      }
      throw e;
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

  /**
   * True when {@code file} holds {@code bytes}. A page whose fingerprint differs from the last one
   * written is known to have changed; otherwise (same fingerprint, or the first render since start)
   * the file's bytes decide, so a fingerprint that collides never keeps a page stale.
   */
  private static boolean unchanged(Slot slot, Path file, byte[] bytes, long print)
      throws IOException {
    if (slot.print != Slot.UNKNOWN && slot.print != print) {
      return false;
    }
    try {
      return Files.size(file) == bytes.length && Arrays.equals(Files.readAllBytes(file), bytes);
    } catch (NoSuchFileException e) {
      return false;
    }
  }

  /** CRC-32C (computed by the CPU) and length: cheap next to a render, unlike a SHA-256. */
  private static long fingerprint(byte[] bytes) {
    CRC32C crc = new CRC32C();
    crc.update(bytes);
    return (crc.getValue() << 32) | (bytes.length & 0xffffffffL);
  }

  private static final class Slot {
    /** No page written by this writer yet, or deleted: the file decides. */
    static final long UNKNOWN = -1;

    final AtomicLong requested = new AtomicLong();
    long rendered;
    int writes;
    long print = UNKNOWN;
  }
}
