package io.soilci.server.site;

import io.soilci.files.AtomicFiles;
import io.soilci.result.JobName;
import io.soilci.result.RunId;
import io.soilci.result.SiteLayout;
import io.soilci.result.WorkerHost;
import io.soilci.server.state.StateLayout;
import io.soilci.threads.Daemons;
import java.io.IOException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Derived files written without waiting for the disk. Pages can always be made again from the job
 * files, so a page is written atomically (temp file, rename) but not {@code fsync}'d before the
 * answer. Instead each page is named in {@code STATE/pages.journal} before it is rendered
 * (appended, not synced: a SIGKILL leaves the file system's cache, so the line is there) and, about
 * once a second, one pass {@code fsync}s every file written since the last pass and their folders
 * and then empties the journal. At start the pages the journal names are rendered again from the
 * index: an event cut off between its change and its pages leaves exactly those stale.
 *
 * <p>Without a state folder ({@code regen}, {@code ingest}) every file is made durable as it is
 * written, as before.
 */
final class PageJournal implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PageJournal.class);

  /** How often written files are synced and the journal emptied. */
  private static final long SYNC_MILLIS = 1000;

  /** Past this many files written since the last pass, the next pass starts at once. */
  private static final int SYNC_FILES = 2000;

  private final @Nullable Path file;

  /** Each named page with the pass it was last named in. */
  private final Map<Page, Long> named = new HashMap<>();

  private final Set<Path> unsynced = new LinkedHashSet<>();
  private final List<Page> leftByCrash;

  /**
   * Held shared by each change from its naming of pages to its last write; a pass takes it alone.
   */
  private final ReentrantReadWriteLock changes = new ReentrantReadWriteLock();

  private final @Nullable ScheduledExecutorService syncer;

  /** Pages a pass must not forget yet: their render was deferred and is not written yet. */
  private volatile Predicate<Page> keep = page -> false;

  private @Nullable FileChannel out;
  private long pass;

  private PageJournal(@Nullable Path file, List<Page> leftByCrash) {
    this.file = file;
    this.leftByCrash = List.copyOf(leftByCrash);
    leftByCrash.forEach(page -> named.put(page, 0L));
    this.syncer = file == null ? null : startSyncer();
  }

  /** No journal: every file is durable when its write returns. */
  static PageJournal none() {
    return new PageJournal(null, List.of());
  }

  /** The journal in {@code state}, with the pages a crash left named in it. */
  static PageJournal open(SiteLayout layout, StateLayout state) throws IOException {
    Files.createDirectories(state.root());
    Path file = state.pageJournal();
    List<Page> left = new ArrayList<>();
    if (Files.isRegularFile(file)) {
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        Page page = decode(layout, line);
        if (page != null) {
          left.add(page);
        } else if (!line.isEmpty()) {
          LOG.warn("{}: skipped a line that names no page: {}", file, line);
        }
      }
    }
    PageJournal journal = new PageJournal(file, left);
    synchronized (journal) {
      journal.rewrite();
    }
    return journal;
  }

  /** True when files are synced by background passes rather than as they are written. */
  boolean deferred() {
    return file != null;
  }

  /** The pages the journal named at open: changed since the last sync before a crash. */
  List<Page> leftByCrash() {
    return leftByCrash;
  }

  /**
   * Names {@code pages} before anything of their change is written; the change lasts until the
   * returned span is closed, and no sync pass forgets the pages while it lasts.
   */
  Span begin(Collection<Page> pages) throws IOException {
    changes.readLock().lock();
    try {
      name(pages);
    } catch (IOException | RuntimeException e) {
      changes.readLock().unlock();
      throw e;
    }
    return changes.readLock()::unlock;
  }

  /**
   * Pages for which {@code stillPending} holds stay named past any pass ({@link PageWriter#defer}:
   * a change's span ends before its pages are written). {@code stillPending} is called under this
   * journal's lock and must take no lock itself.
   */
  void keepNamedWhile(Predicate<Page> stillPending) {
    keep = stillPending;
  }

  /** A change in progress ({@link #begin}). */
  interface Span extends AutoCloseable {
    @Override
    void close();
  }

  private void name(Collection<Page> pages) throws IOException {
    if (file == null) {
      return;
    }
    synchronized (this) {
      StringBuilder lines = new StringBuilder();
      for (Page page : pages) {
        if (named.put(page, pass) == null) {
          lines.append(encode(page)).append('\n');
        }
      }
      if (lines.length() > 0) {
        FileChannel channel = Objects.requireNonNull(out, "the page journal is closed");
        ByteBuffer bytes = ByteBuffer.wrap(lines.toString().getBytes(StandardCharsets.UTF_8));
        while (bytes.hasRemaining()) {
          channel.write(bytes);
        }
      }
    }
  }

  /** Replaces {@code target} with {@code bytes} atomically; durable now, or at the next pass. */
  void write(Path target, byte[] bytes) throws IOException {
    if (file == null) {
      AtomicFiles.write(target, bytes);
      return;
    }
    Path temp = AtomicFiles.writeTemp(target, bytes);
    try {
      put(temp, target);
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(temp);
      throw e;
    }
  }

  /** Writes {@code bytes} to a temp file made for them ({@link AtomicFiles#createTemp}). */
  void writeTemp(Path temp, byte[] bytes) throws IOException {
    try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
      ByteBuffer buffer = ByteBuffer.wrap(bytes);
      while (buffer.hasRemaining()) {
        channel.write(buffer);
      }
      if (file == null) {
        channel.force(true);
      }
    }
  }

  /** Renames a written temp file over {@code target}; durable now, or at the next pass. */
  void put(Path temp, Path target) throws IOException {
    if (file == null) {
      AtomicFiles.commit(temp, target);
      return;
    }
    Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    written(target);
  }

  /** {@code gone} was deleted; the deletion is durable now, or at the next pass. */
  void deleted(Path gone) throws IOException {
    if (file == null) {
      AtomicFiles.syncDirectory(folderOf(gone));
      return;
    }
    written(gone);
  }

  private void written(Path written) {
    int count;
    synchronized (this) {
      unsynced.add(written);
      count = unsynced.size();
    }
    ScheduledExecutorService timer = syncer;
    if (count == SYNC_FILES && timer != null) {
      var unused = timer.submit(this::syncQuietly);
    }
  }

  /**
   * One pass: syncs every file written by the changes that ended before it began and their folders,
   * then forgets the pages those changes named. A page named again meanwhile, or whose deferred
   * render is not written yet, stays named.
   */
  void sync() throws IOException {
    if (file == null) {
      return;
    }
    List<Path> files;
    long thisPass;
    changes.writeLock().lock();
    try {
      synchronized (this) {
        files = new ArrayList<>(unsynced);
        unsynced.clear();
        thisPass = pass++;
      }
    } finally {
      changes.writeLock().unlock();
    }
    Set<Path> folders = new LinkedHashSet<>();
    for (Path written : files) {
      try {
        AtomicFiles.sync(written);
      } catch (NoSuchFileException e) {
        // Deleted since (retention, or a page that became empty): its folder is synced below.
      }
      folders.add(folderOf(written));
    }
    for (Path folder : folders) {
      try {
        AtomicFiles.syncDirectory(folder);
      } catch (NoSuchFileException e) {
        // The run's folder was deleted by retention meanwhile.
      }
    }
    synchronized (this) {
      Predicate<Page> pending = keep;
      if (named.entrySet().removeIf(e -> e.getValue() <= thisPass && !pending.test(e.getKey()))) {
        rewrite();
      }
    }
  }

  private void syncQuietly() {
    try {
      sync();
    } catch (IOException | RuntimeException e) {
      LOG.warn("syncing the pages written in the last second failed: {}", e.toString());
    }
  }

  private ScheduledExecutorService startSyncer() {
    ScheduledExecutorService timer =
        Executors.newSingleThreadScheduledExecutor(Daemons.named("soil-page-sync"));
    var unused =
        timer.scheduleWithFixedDelay(
            this::syncQuietly, SYNC_MILLIS, SYNC_MILLIS, TimeUnit.MILLISECONDS);
    return timer;
  }

  /**
   * Stops the background passes without one more: the journal keeps naming every page it names now,
   * so the next start checks them as after a crash (a site whose opening failed).
   */
  void abandon() {
    ScheduledExecutorService timer = syncer;
    if (timer == null) {
      return;
    }
    timer.shutdownNow();
    synchronized (this) {
      FileChannel channel = out;
      out = null;
      if (channel != null) {
        try {
          channel.close();
        } catch (IOException e) {
          LOG.warn("closing the page journal failed: {}", e.toString());
        }
      }
    }
  }

  /** A last pass: every file written is durable and the journal empty. */
  @Override
  public void close() {
    ScheduledExecutorService timer = syncer;
    if (timer == null) {
      return;
    }
    timer.shutdown();
    try {
      if (!timer.awaitTermination(10, TimeUnit.SECONDS)) {
        LOG.warn("the page sync did not end within 10 s");
      }
      sync();
      synchronized (this) {
        FileChannel channel = out;
        if (channel != null) {
          channel.close();
          out = null;
        }
      }
    } catch (IOException e) {
      LOG.warn("the last sync of the pages failed: {}", e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Replaces the journal with the pages named now (a rename: a crash leaves one or the other). */
  private void rewrite() throws IOException {
    Path target = Objects.requireNonNull(file);
    StringBuilder lines = new StringBuilder();
    named.keySet().forEach(page -> lines.append(encode(page)).append('\n'));
    FileChannel old = out;
    if (old != null) {
      old.close();
    }
    Path temp = AtomicFiles.writeTemp(target, lines.toString().getBytes(StandardCharsets.UTF_8));
    Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    out = FileChannel.open(target, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
  }

  private static Path folderOf(Path file) {
    return Objects.requireNonNull(file.toAbsolutePath().getParent());
  }

  /** One line: the page's kind, host and key, tab-separated (names never hold a tab). */
  static String encode(Page page) {
    if (page instanceof Page.Home) {
      return "home";
    } else if (page instanceof Page.HostIndex p) {
      return "host-index\t" + p.host().id();
    } else if (page instanceof Page.HostJson p) {
      return "host-json\t" + p.host().id();
    } else if (page instanceof Page.RawHtml p) {
      return "raw\t" + p.host().id();
    } else if (page instanceof Page.RunHtml p) {
      return "run\t" + p.host().id() + "\t" + p.run().value();
    } else if (page instanceof Page.RunJson p) {
      return "run-json\t" + p.host().id() + "\t" + p.run().value();
    } else if (page instanceof Page.CommitHtml p) {
      return "commit\t" + p.host().id() + "\t" + p.commit();
    } else if (page instanceof Page.DayHtml p) {
      return "day\t" + p.host().id() + "\t" + p.day();
    } else if (page instanceof Page.StatusJson p) {
      return "status\t" + p.host().id() + "\t" + p.statusRunId();
    } else if (page instanceof Page.BranchBadge p) {
      return "branch-badge\t" + p.host().id() + "\t" + p.file();
    } else if (page instanceof Page.JobBadge p) {
      return "job-badge\t" + p.host().id() + "\t" + p.job().value();
    } else if (page instanceof Page.TestHtml p) {
      return "test\t" + p.host().id() + "\t" + test(p.test());
    } else if (page instanceof Page.TestJson p) {
      return "test-json\t" + p.host().id() + "\t" + test(p.test());
    }
    throw new IllegalArgumentException("no journal line for page " + page);
  }

  /**
   * The page a line names, or null for a line that names none (cut off by a crash); a page whose
   * path would lead out of the site is none.
   */
  static @Nullable Page decode(SiteLayout layout, String line) {
    String[] f = line.split("\t", -1);
    try {
      Page page = f.length == 1 && f[0].equals("home") ? new Page.Home() : decode(f);
      if (page != null) {
        layout.path(page.path());
      }
      return page;
    } catch (RuntimeException e) {
      return null;
    }
  }

  /** A test's four names, each URL-encoded (a test's name may hold a tab or a line break). */
  private static String test(TestKey test) {
    return String.join(
        "\t",
        URLEncoder.encode(test.job(), StandardCharsets.UTF_8),
        URLEncoder.encode(test.task(), StandardCharsets.UTF_8),
        URLEncoder.encode(test.suite(), StandardCharsets.UTF_8),
        URLEncoder.encode(test.name(), StandardCharsets.UTF_8));
  }

  private static TestKey test(String[] f) {
    return TestKey.of(
        URLDecoder.decode(f[2], StandardCharsets.UTF_8),
        URLDecoder.decode(f[3], StandardCharsets.UTF_8),
        URLDecoder.decode(f[4], StandardCharsets.UTF_8),
        URLDecoder.decode(f[5], StandardCharsets.UTF_8));
  }

  private static @Nullable Page decode(String[] f) {
    WorkerHost host = WorkerHost.parse(f[1]);
    if (f.length == 6) {
      return switch (f[0]) {
        case "test" -> new Page.TestHtml(host, test(f));
        case "test-json" -> new Page.TestJson(host, test(f));
        default -> null;
      };
    }
    if (f.length == 2) {
      return switch (f[0]) {
        case "host-index" -> new Page.HostIndex(host);
        case "host-json" -> new Page.HostJson(host);
        case "raw" -> new Page.RawHtml(host);
        default -> null;
      };
    }
    if (f.length != 3) {
      return null;
    }
    return switch (f[0]) {
      case "run" -> new Page.RunHtml(host, new RunId(f[2]));
      case "run-json" -> new Page.RunJson(host, new RunId(f[2]));
      case "commit" -> new Page.CommitHtml(host, f[2]);
      case "day" -> new Page.DayHtml(host, f[2]);
      case "status" -> new Page.StatusJson(host, f[2]);
      case "branch-badge" -> new Page.BranchBadge(host, f[2]);
      case "job-badge" -> new Page.JobBadge(host, new JobName(f[2]));
      default -> null;
    };
  }
}
