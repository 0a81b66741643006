package io.soilci.server.cluster;

import io.soilci.result.SiteLayout;
import io.soilci.result.WorkerHost;
import io.soilci.server.site.RunDeletions;
import io.soilci.server.storage.Md5;
import io.soilci.server.storage.ObjectHeaders;
import io.soilci.server.storage.ObjectKeys;
import io.soilci.server.storage.ObjectStore;
import io.soilci.server.storage.StoredObject;
import io.soilci.threads.Daemons;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies the pages (and status files, badges, assets) this replica writes to the object store, for
 * the hosts whose role it holds ({@link HostLeases}; the site-wide ones with the {@code site}
 * role), so that the bucket holds one published copy that a CDN can serve, and announces them to
 * the other replicas ({@link PageAnnouncement}). Told of each page written or deleted ({@link
 * #changed}, never blocking); one thread reads them and announces each small page (its bytes in the
 * announcement) and each deletion at once, while {@link PagePuts} puts them in the bucket beside
 * it, the latest version of each, trying a failed put again; a page whose bytes the announcement
 * does not carry is announced once the bucket has it.
 *
 * <p>A replica that takes a role {@linkplain #reconcile reconciles} its pages with the bucket
 * first: pages changed while no replica held the role (the TTL after a holder died) reach the
 * bucket then, not only with their next change. And the holder deletes the job files of a run
 * retention deletes ({@link #before}), only where the bucket still has the bytes that were deleted.
 */
public final class PageMirror implements RunDeletions, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PageMirror.class);
  private static final long PROGRESS_NANOS = 5_000_000_000L;

  /**
   * How long the job files of a retired run are remembered, for a replica that takes the role after
   * the retirement (a holder died): longer than a role stays unheld (its TTL) with room to spare.
   */
  static final Duration RETIRED_KEPT = Duration.ofMinutes(10);

  private record Retired(byte[] md5, long atNanos) {}

  /**
   * A page written (its MD5 in lower-case hex, and its bytes when the announcement may carry them)
   * or deleted (an empty MD5).
   */
  private record Told(String md5, byte @Nullable [] bytes) {}

  /**
   * The most bytes of pages kept for announcements not made yet: a reconcile that puts thousands of
   * pages announces the rest without their bytes (followers fetch those from the bucket).
   */
  private static final long MOST_INLINE_HELD = 8L << 20;

  /**
   * The share of nats-server's {@code max_payload} an announcement may take, in eighths: the rest
   * is the margin for the message's headers.
   */
  private static final int PAYLOAD_EIGHTHS = 7;

  /** How long a clean stop gives the puts under way to go through. */
  private static final long CLOSE_MILLIS = 10_000;

  /** How often a holder with nothing to put checks whether its roles' pages went further. */
  private static final long ANNOUNCE_EVERY_MILLIS = 100;

  /**
   * What the mirror needs of the replica once it started: how far it applied the change stream, its
   * page writer, and which roles' pages it renders ({@link Roles#renders}).
   */
  interface Renderer {
    /** The last change of the stream applied. */
    long applied();

    /** Waits (bounded) until the pages deferred so far are written; returns whether they are. */
    boolean awaitRendered() throws InterruptedException;

    /** Renders the pages of {@code role} left to its former holder; returns their paths. */
    List<String> renderLeft(String role) throws IOException;

    /** Whether this replica renders {@code role}'s pages now. */
    boolean renders(String role);
  }

  private final ObjectStore bucket;
  private final Path root;
  private final HostLeases leases;
  private final @Nullable ChangeStream stream;
  private final String replica;
  private volatile @Nullable Renderer renderer;

  /** Pages put or deleted and not announced yet, by role then path. Guarded by {@link #pending}. */
  private final Map<String, Map<String, Told>> unannounced = new TreeMap<>();

  /** The bytes of pages held in {@link #unannounced}. Guarded by {@link #pending}. */
  private long inlineHeld;

  /** How far each role's pages were announced. */
  private final Map<String, Long> announcedUpTo = new HashMap<>();

  /**
   * The roles taken since this replica last held them: their left pages rendered and the bucket
   * reconciled ({@link #reconcileNow}); only those announce how far they are rendered. Guarded by
   * pending.
   */
  private final Set<String> takenOver = new HashSet<>();

  /**
   * The roles taken whose takeover is not announced yet ({@link PageAnnouncement#takeover}): the
   * followers compare the role's pages with the bucket then, since an announcement the former
   * holder (or this replica, before a crash) did not live to make names pages nobody names again.
   * Guarded by pending.
   */
  private final Set<String> takeovers = new HashSet<>();

  private final Set<String> pending = new LinkedHashSet<>();
  private final Set<String> reconciles = new LinkedHashSet<>();
  private final Map<String, byte[]> retired = new LinkedHashMap<>();
  private final Map<String, Retired> recentlyRetired = new LinkedHashMap<>();
  private final Map<String, Map<String, byte[]>> deleting = new HashMap<>();

  /**
   * Pages whose bytes no announcement carries (over {@link PageAnnouncement#MOST_INLINE_PAGE}, or
   * {@link #MOST_INLINE_HELD} held already), with the ticket of their put ({@link PagePuts#want}):
   * announced once the bucket has them, since a follower fetches them from there. While a role has
   * any, its announcements say nothing of {@code upTo}. Guarded by pending.
   */
  private final Map<String, Long> awaitingPut = new HashMap<>();

  /**
   * The roles given up ({@link #released}) and not taken again since: their pages' puts left are
   * given up, to the role's next taker, which puts what the bucket lacks ({@link #reconcile}).
   */
  private final Set<String> notMirrored = ConcurrentHashMap.newKeySet();

  private final Thread thread;
  private final PagePuts puts;
  private boolean closed;

  /**
   * A mirror into {@code bucket} of the pages under {@code root} whose roles {@code leases} holds;
   * with a {@code stream}, it announces the pages it put there ({@link #announceFor}).
   */
  public PageMirror(
      ObjectStore bucket,
      Path root,
      HostLeases leases,
      @Nullable ChangeStream stream,
      String replica) {
    this.bucket = bucket;
    this.root = root;
    this.leases = leases;
    this.stream = stream;
    this.replica = replica;
    this.thread = Daemons.of("soil-page-mirror", this::run);
    this.puts =
        new PagePuts(
            bucket,
            root,
            path -> !notMirrored.contains(roleOf(path)),
            new PagePuts.Listener() {
              @Override
              public void put(String path, byte @Nullable [] bytes, long ticket) {
                putDone(path, bytes, ticket, true);
              }

              @Override
              public void dropped(String path, long ticket) {
                putDone(path, null, ticket, false);
              }
            });
  }

  public void start() {
    thread.start();
  }

  /**
   * From now on each batch of pages written is announced on the pages' stream (their paths and
   * MD5s, the bytes of the small ones, and deletions) with how far the change stream is rendered in
   * them ({@link PageAnnouncement}), and a role taken renders the pages left to its former holder
   * first.
   */
  void announceFor(Renderer replicaRenderer) {
    synchronized (pending) {
      this.renderer = replicaRenderer;
      pending.notifyAll();
    }
  }

  /** The page at {@code path} (from the site root) was written or deleted. */
  public void changed(String path) {
    if (!leases.holds(roleOf(path))) {
      LOG.debug("page {} written while its role is not held here: not mirrored", path);
      return;
    }
    synchronized (pending) {
      pending.add(path);
      pending.notifyAll();
    }
  }

  /**
   * This replica took {@code role} ({@link HostLeases#SITE} or {@link HostLeases#hostKey}): every
   * page of the role in the site folder is compared with the bucket's (by MD5) and put where it
   * differs, and the bucket's pages of the role that the folder no longer has are deleted. Runs on
   * the mirror's thread, before the pages changed since; a failure is tried again.
   */
  public void reconcile(String role) {
    synchronized (pending) {
      notMirrored.remove(role);
      reconciles.add(role);
      recentlyRetired.forEach(
          (key, r) -> {
            if (roleOf(key).equals(role)) {
              retired.put(key, r.md5());
            }
          });
      pending.notifyAll();
    }
  }

  /**
   * This replica no longer holds {@code role}: when it takes it again, it announces how far the
   * role's pages are rendered only once it rendered the pages left meanwhile ({@link #reconcile}).
   */
  public void released(String role) {
    synchronized (pending) {
      notMirrored.add(role);
      takenOver.remove(role);
      takeovers.remove(role);
    }
  }

  /**
   * Waits at most {@code millis} until no put of a page is queued or under way (those of roles
   * {@linkplain #released given up} are given up at once); returns whether none is.
   */
  boolean awaitPuts(long millis) {
    return puts.awaitIdle(millis);
  }

  /**
   * Retention is about to delete the run in {@code runDir} (from the site root, e.g. {@code
   * github-jobs/4101}); every replica retires the same runs, in the stream's order. The MD5 of each
   * of its job files is kept ({@link #after}) for {@link #RETIRED_KEPT}: the holder of its host's
   * role deletes the bucket's copy, now or when it takes the role within that time, each only while
   * the bucket holds the bytes deleted here and this folder has no such file again (a later upload
   * into the same run is kept). Its pages go as the page writer deletes them ({@link #changed}).
   */
  @Override
  public void before(String runDir) {
    Map<String, byte[]> jobFiles = new TreeMap<>();
    try (Stream<Path> files = Files.list(root.resolve(runDir))) {
      for (Path file : files.toList()) {
        String key = runDir + "/" + file.getFileName();
        if (ObjectKeys.isValid(key) && ObjectHeaders.isJobFile(key) && Files.isRegularFile(file)) {
          jobFiles.put(key, Md5.of(Files.readAllBytes(file)));
        }
      }
    } catch (NoSuchFileException e) {
      return;
    } catch (IOException e) {
      LOG.warn("{}: its job files stay in the store (not read before retention): {}", runDir, e);
      return;
    }
    synchronized (pending) {
      deleting.put(runDir, jobFiles);
    }
  }

  /** The run in {@code runDir} is gone from the site folder: its job files may leave the bucket. */
  @Override
  public void after(String runDir) {
    long now = System.nanoTime();
    boolean holder = leases.holds(roleOf(runDir + "/"));
    synchronized (pending) {
      Map<String, byte[]> jobFiles = deleting.remove(runDir);
      if (jobFiles == null) {
        return;
      }
      recentlyRetired.values().removeIf(r -> now - r.atNanos() > RETIRED_KEPT.toNanos());
      jobFiles.forEach((key, md5) -> recentlyRetired.put(key, new Retired(md5, now)));
      if (holder) {
        retired.putAll(jobFiles);
        pending.notifyAll();
      }
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

  /**
   * Whether the holder of its role keeps the file at {@code key} in the bucket: pages, status
   * files, badges and assets; not a job's files (put by the replica that accepted the upload), not
   * hidden files ({@code RUN/.running/…}) nor temp files.
   */
  static boolean isMirrored(String key) {
    if (!ObjectKeys.isValid(key)) {
      return false; // temp files among them
    }
    for (String segment : key.split("/")) {
      if (segment.startsWith(".")) {
        return false;
      }
    }
    return !ObjectHeaders.isJobFile(key);
  }

  /**
   * Whether the file at {@code key} is one the holder of its role renders (a page, its JSON, a
   * badge), so that a follower may delete its copy once the bucket no longer has it. Never a job's
   * file, nor a file directly in a run folder but its page ({@code RUN/index.json} may be a job's,
   * written by an older version), a status file (each replica writes its own as it applies a done
   * change), an asset (each replica writes them at its start), a hidden or temp file, or a file of
   * the site's top level but the home page and the status API's summaries (one put there by hand).
   */
  static boolean isRendered(String key) {
    if (!isMirrored(key)) {
      return false;
    }
    String[] parts = key.split("/");
    if (roleOf(key).equals(HostLeases.SITE)) {
      return key.equals(SiteLayout.home())
          || (parts[0].equals(SiteLayout.STATUS_API) && key.endsWith("/index.json"));
    }
    if (parts.length == 3 && SiteLayout.isRunName(parts[1])) {
      return parts[2].equals("index.html");
    }
    return key.endsWith(".html") || key.endsWith(".json") || key.endsWith(".svg");
  }

  private void run() {
    while (true) {
      List<String> roles;
      Map<String, byte[]> deletions;
      List<String> batch;
      @Nullable Renderer now;
      synchronized (pending) {
        try {
          while (!hasWork()) {
            if (closed && awaitingPut.isEmpty()) {
              return;
            }
            // Closed: what the puts under way bring is announced, until close gives them up.
            pending.wait(renderer == null && !closed ? 0 : ANNOUNCE_EVERY_MILLIS);
          }
        } catch (InterruptedException e) {
          return;
        }
        now = renderer;
      }
      // Every change applied so far has its pages written, or deferred and awaited here: those
      // written are among the pending paths taken below.
      long upTo = 0;
      if (now != null) {
        long applied = now.applied();
        try {
          upTo = now.awaitRendered() ? applied : 0;
        } catch (InterruptedException e) {
          return;
        }
      }
      synchronized (pending) {
        roles = new ArrayList<>(reconciles);
        reconciles.clear();
        deletions = new LinkedHashMap<>(retired);
        retired.clear();
        batch = new ArrayList<>(pending);
        pending.clear();
      }
      Set<String> failed = new HashSet<>();
      for (String role : roles) {
        if (!reconcileNow(role, now)) {
          failed.add(role);
        }
      }
      deletions.forEach(this::deleteRetired);
      for (String path : batch) {
        offer(path);
      }
      if (now != null && !announce(now, upTo, failed) && isClosed()) {
        return;
      }
    }
  }

  /**
   * Whether there are pages to put and announce, roles to reconcile or retired files to delete; or,
   * until closed, a role rendered further than announced, and once closed, pages still to announce.
   */
  private boolean hasWork() {
    synchronized (pending) {
      if (!pending.isEmpty() || !reconciles.isEmpty() || !retired.isEmpty()) {
        return true;
      }
      Renderer now = renderer;
      return closed ? now != null && hasAnnounceable(now) : renderedFurther();
    }
  }

  private boolean isClosed() {
    synchronized (pending) {
      return closed;
    }
  }

  /**
   * The page at {@code path} was written or deleted: its put in the bucket starts ({@link
   * PagePuts}), and it is noted for the next announcement at once with its bytes when they are few
   * enough to carry (and deleted), else once the bucket has it.
   */
  private void offer(String path) {
    byte @Nullable [] bytes;
    boolean read = true;
    try {
      bytes = PagePuts.read(root.resolve(path));
    } catch (IOException e) {
      LOG.warn(
          "page {}: not read for its announcement, announced once put: {}", path, e.toString());
      bytes = null;
      read = false;
    }
    synchronized (pending) {
      long ticket = puts.want(path);
      if (stream == null || !isMirrored(path)) {
        return; // put, not announced: no follower takes it
      }
      if (read && (bytes == null || carries(bytes))) {
        awaitingPut.remove(path);
        tell(path, bytes == null ? new Told("", null) : new Told(Md5.hex(bytes), bytes));
      } else {
        awaitingPut.put(path, ticket);
      }
    }
  }

  /** Whether an announcement may carry {@code bytes}, the bytes held so far considered. */
  private boolean carries(byte[] bytes) {
    return bytes.length <= PageAnnouncement.MOST_INLINE_PAGE
        && inlineHeld + bytes.length <= MOST_INLINE_HELD;
  }

  /**
   * The bucket has the page at {@code path} as the folder had it at its put's {@code ticket}
   * ({@code bytes}, null: no object), or its put was given up ({@code put} false): a page awaiting
   * its put is announced now, or forgotten (its role's next taker puts and announces it).
   */
  private void putDone(String path, byte @Nullable [] bytes, long ticket, boolean put) {
    synchronized (pending) {
      Long awaited = awaitingPut.get(path);
      if (awaited == null || awaited > ticket) {
        return;
      }
      awaitingPut.remove(path);
      if (put) {
        told(path, bytes);
      }
      pending.notifyAll();
    }
  }

  /** Whether a page of {@code role} awaits its put before it is announced. */
  private boolean awaitsPuts(String role) {
    synchronized (pending) {
      for (String path : awaitingPut.keySet()) {
        if (roleOf(path).equals(role)) {
          return true;
        }
      }
      return false;
    }
  }

  /** Whether a role this replica renders has changes applied past its last announcement. */
  private boolean renderedFurther() {
    Renderer now = renderer;
    if (now == null) {
      return false;
    }
    long applied = now.applied();
    for (String role : roles()) {
      if (announcesUpTo(now, role)
          && announcedUpTo.getOrDefault(role, 0L) < applied
          && !awaitsPuts(role)) {
        return true;
      }
    }
    synchronized (pending) {
      return hasAnnounceable(now) || !takeovers.isEmpty();
    }
  }

  /**
   * Whether a page waits to be announced that may be announced now: not one of a role this replica
   * took and has not reconciled yet, which waits for its takeover ({@link #announce}). Guarded by
   * pending.
   */
  private boolean hasAnnounceable(Renderer now) {
    for (String role : unannounced.keySet()) {
      if (!awaitsTakeover(now, role)) {
        return true;
      }
    }
    return false;
  }

  /** Whether this replica renders {@code role} but has not reconciled it since it took it. */
  private boolean awaitsTakeover(Renderer now, String role) {
    synchronized (pending) {
      return now.renders(role) && !takenOver.contains(role);
    }
  }

  /** Whether this replica renders {@code role}'s pages and took it (rendered what was left). */
  private boolean announcesUpTo(Renderer now, String role) {
    synchronized (pending) {
      return now.renders(role) && takenOver.contains(role);
    }
  }

  /** Every role: the site's and each host's. */
  static List<String> roles() {
    List<String> roles = new ArrayList<>();
    roles.add(HostLeases.SITE);
    for (WorkerHost host : WorkerHost.values()) {
      roles.add(HostLeases.hostKey(host.prefix()));
    }
    return roles;
  }

  /**
   * Notes that the bucket has {@code bytes} at {@code path} (or no object: null) for the next
   * announcement, which carries the bytes of a small page while few are held.
   */
  private void told(String path, byte @Nullable [] bytes) {
    told(path, bytes, null);
  }

  /**
   * As {@link #told(String, byte[])}; {@code md5} is that of {@code bytes} when computed already.
   */
  private void told(String path, byte @Nullable [] bytes, byte @Nullable [] md5) {
    if (stream == null) {
      return;
    }
    synchronized (pending) {
      if (bytes == null) {
        tell(path, new Told("", null));
      } else {
        tell(
            path,
            new Told(Md5.toHex(md5 != null ? md5 : Md5.of(bytes)), carries(bytes) ? bytes : null));
      }
    }
  }

  /** Notes {@code told} of {@code path} for the next announcement, in place of an earlier one. */
  private void tell(String path, Told told) {
    synchronized (pending) {
      Told before = unannounced.computeIfAbsent(roleOf(path), r -> new TreeMap<>()).put(path, told);
      inlineHeld += inlineSize(told) - (before == null ? 0 : inlineSize(before));
    }
  }

  private static int inlineSize(Told told) {
    byte[] bytes = told.bytes();
    return bytes == null ? 0 : bytes.length;
  }

  /**
   * Announces the pages noted since the last announcement, per role, with {@code upTo} for each
   * role this replica renders, took over ({@link #reconcileNow}; {@code failed} names those whose
   * reconcile did not go through) and has no page awaiting its put; what the stream did not take is
   * announced with the next batch, its bytes kept. Returns whether the stream took everything.
   */
  private boolean announce(Renderer now, long upTo, Set<String> failed) {
    ChangeStream to = stream;
    if (to == null) {
      return true;
    }
    boolean all = true;
    long most = to.maxPayload() / 8 * PAYLOAD_EIGHTHS;
    for (String role : roles()) {
      Map<String, Told> pages;
      boolean takeover;
      boolean further;
      synchronized (pending) {
        if (awaitsTakeover(now, role)) {
          // Taken, its reconcile not through yet: the followers skip the role's announcements by
          // anyone but the taker they heard last until this replica's takeover, so the pages
          // rendered meanwhile wait to go with it (once the bucket had them, nothing named them
          // again).
          continue;
        }
        pages = unannounced.remove(role);
        if (pages != null) {
          pages.values().forEach(told -> inlineHeld -= inlineSize(told));
        }
        takeover = takeovers.contains(role);
        further =
            upTo > announcedUpTo.getOrDefault(role, 0L)
                && now.renders(role)
                && takenOver.contains(role)
                && !failed.contains(role)
                && !awaitsPuts(role);
      }
      if (pages == null && !further && !takeover) {
        continue;
      }
      List<Map.Entry<String, Told>> entries =
          pages == null ? List.of() : new ArrayList<>(pages.entrySet());
      int from = 0;
      try {
        do {
          int end = chunkEnd(entries, from);
          byte[] message = announcement(role, entries.subList(from, end), 0, takeover);
          while (message.length > most && end - from > 1) {
            end = from + (end - from) / 2;
            message = announcement(role, entries.subList(from, end), 0, takeover);
          }
          if (message.length > most) {
            // One page whose bytes do not fit nats-server's max_payload: announced once put.
            putFirst(entries.get(from).getKey());
            further = false;
            from = end;
            continue;
          }
          boolean last = end == entries.size();
          if (last && further) {
            message = announcement(role, entries.subList(from, end), upTo, takeover);
          }
          long sequence = to.publishPages(role, message);
          if (LOG.isDebugEnabled()) {
            LOG.debug(
                "role {}: announced as {}{}: up to {}, {}",
                role,
                sequence,
                takeover ? ", its takeover" : "",
                last && further ? upTo : 0,
                entries.subList(from, end).stream().map(Map.Entry::getKey).toList());
          }
          if (takeover) {
            takeover = false;
            synchronized (pending) {
              takeovers.remove(role);
            }
          }
          from = end;
        } while (from < entries.size());
        if (further) {
          announcedUpTo.put(role, upTo);
        }
      } catch (ChangeStream.Unavailable e) {
        LOG.warn("role {}: its pages not announced yet, trying again: {}", role, e.getMessage());
        synchronized (pending) {
          Map<String, Told> later = unannounced.computeIfAbsent(role, r -> new TreeMap<>());
          for (Map.Entry<String, Told> page : entries.subList(from, entries.size())) {
            if (later.putIfAbsent(page.getKey(), page.getValue()) == null) {
              inlineHeld += inlineSize(page.getValue());
            }
          }
        }
        all = false;
        pause();
      }
    }
    return all;
  }

  /**
   * The end of the announcement of {@code entries} that starts at {@code from}: at most {@link
   * PageAnnouncement#MOST_PAGES} pages and {@link PageAnnouncement#MOST_INLINE_BYTES} of their
   * bytes, so that every page's bytes noted are carried.
   */
  private static int chunkEnd(List<Map.Entry<String, Told>> entries, int from) {
    int end = from;
    long bytes = 0;
    while (end < entries.size() && end - from < PageAnnouncement.MOST_PAGES) {
      int size = inlineSize(entries.get(end).getValue());
      if (end > from && bytes + size > PageAnnouncement.MOST_INLINE_BYTES) {
        break;
      }
      bytes += size;
      end++;
    }
    return end;
  }

  /** The announcement of {@code role}'s {@code pages}, encoded. */
  private byte[] announcement(
      String role, List<Map.Entry<String, Told>> pages, long upTo, boolean takeover) {
    Map<String, String> named = new LinkedHashMap<>();
    Map<String, byte[]> inline = new LinkedHashMap<>();
    for (Map.Entry<String, Told> page : pages) {
      named.put(page.getKey(), page.getValue().md5());
      byte[] bytes = page.getValue().bytes();
      if (bytes != null) {
        inline.put(page.getKey(), bytes);
      }
    }
    return new PageAnnouncement(
            PageAnnouncement.VERSION, role, replica, upTo, named, inline, takeover)
        .encode();
  }

  /** Announces the page at {@code path} once the bucket has it (put again now). */
  private void putFirst(String path) {
    synchronized (pending) {
      awaitingPut.put(path, puts.want(path));
    }
  }

  private void deleteRetired(String key, byte[] md5) {
    try {
      if (Files.exists(root.resolve(key))) {
        return; // the run came back: a later upload into it, applied here
      }
      var stored = bucket.head(key);
      if (stored.isPresent() && bucket.hasMd5(stored.get(), md5)) {
        bucket.delete(key);
        LOG.info("{}: deleted from the store (retention deleted its run)", key);
      }
    } catch (IOException e) {
      LOG.warn("{} of a run retention deleted: not deleted from the store yet: {}", key, e);
      synchronized (pending) {
        retired.putIfAbsent(key, md5);
      }
      pause();
    }
  }

  /**
   * Takes {@code role}: renders the pages left to its former holder (with {@code now}), then puts
   * the role's pages where the bucket differs; returns whether it all went through (else it is
   * tried again).
   */
  private boolean reconcileNow(String role, @Nullable Renderer now) {
    long started = System.nanoTime();
    try {
      if (now != null) {
        List<String> rendered = now.renderLeft(role);
        for (String path : rendered) {
          // Announced whether or not the bucket differs: a replica may hold an older copy of a page
          // whose announcement its former holder did not live to make.
          try {
            told(path, Files.readAllBytes(root.resolve(path)));
          } catch (NoSuchFileException e) {
            told(path, null);
          }
        }
        if (!rendered.isEmpty()) {
          LOG.info(
              "role {}: rendered {} pages changed since its last announcement",
              role,
              rendered.size());
        }
      }
      Map<String, Path> local = localPages(role);
      Map<String, StoredObject> stored = storedPages(role);
      LOG.info(
          "role {}: reconciling its pages with the store: {} in the site folder, {} in the store",
          role,
          local.size(),
          stored.size());
      int checked = 0;
      int put = 0;
      int deleted = 0;
      long progressAt = started + PROGRESS_NANOS;
      for (Map.Entry<String, Path> page : local.entrySet()) {
        byte[] bytes;
        try {
          bytes = Files.readAllBytes(page.getValue());
        } catch (NoSuchFileException e) {
          continue; // deleted since the walk: the page writer told the mirror
        }
        StoredObject there = stored.remove(page.getKey());
        byte[] md5 = Md5.of(bytes);
        if (there == null || !bucket.hasMd5(there, md5)) {
          bucket.put(page.getKey(), bytes, contentType(page.getKey()));
          told(page.getKey(), bytes, md5);
          put++;
        }
        checked++;
        if (System.nanoTime() > progressAt) {
          LOG.info(
              "role {}: reconciling: {} of {} pages checked, {} put",
              role,
              checked,
              local.size(),
              put);
          progressAt = System.nanoTime() + PROGRESS_NANOS;
        }
      }
      for (String gone : stored.keySet()) {
        if (!Files.exists(root.resolve(gone))) {
          bucket.delete(gone);
          told(gone, null);
          deleted++;
        }
      }
      LOG.info(
          "role {}: the store's pages reconciled in {} ms: {} put, {} deleted, {} unchanged",
          role,
          (System.nanoTime() - started) / 1_000_000,
          put,
          deleted,
          checked - put);
      synchronized (pending) {
        takenOver.add(role);
        takeovers.add(role);
      }
      return true;
    } catch (IOException | RuntimeException e) {
      LOG.warn(
          "role {}: reconciling its pages with the store failed, trying again: {}",
          role,
          e.toString());
      synchronized (pending) {
        if (leases.holds(role) && !closed) {
          reconciles.add(role);
        }
      }
      pause();
      return false;
    }
  }

  /** The role's pages in the bucket, by key. */
  Map<String, StoredObject> storedPages(String role) throws IOException {
    Map<String, StoredObject> stored = new HashMap<>();
    for (String prefix : bucketPrefixes(role)) {
      for (StoredObject object : bucket.list(prefix)) {
        if (isMirrored(object.key()) && roleOf(object.key()).equals(role)) {
          stored.put(object.key(), object);
        }
      }
    }
    return stored;
  }

  /** The role's pages in the site folder, by key. */
  Map<String, Path> localPages(String role) throws IOException {
    Map<String, Path> pages = new TreeMap<>();
    List<Path> starts = new ArrayList<>();
    for (String top : topLevel(role)) {
      starts.add(root.resolve(top));
    }
    for (Path start : starts) {
      if (!Files.exists(start)) {
        continue;
      }
      try (Stream<Path> files = Files.walk(start)) {
        for (Path file : files.toList()) {
          String key =
              root.relativize(file).toString().replace(file.getFileSystem().getSeparator(), "/");
          if (isMirrored(key) && roleOf(key).equals(role) && Files.isRegularFile(file)) {
            pages.put(key, file);
          }
        }
      }
    }
    return pages;
  }

  /** The entries of the site folder's top level that hold {@code role}'s pages. */
  private List<String> topLevel(String role) throws IOException {
    List<String> names = new ArrayList<>();
    for (WorkerHost host : WorkerHost.values()) {
      if (HostLeases.hostKey(host.prefix()).equals(role)) {
        return List.of(SiteLayout.hostDir(host));
      }
    }
    if (!Files.isDirectory(root)) {
      return names;
    }
    try (Stream<Path> entries = Files.list(root)) {
      for (Path entry : entries.sorted().toList()) {
        String name = entry.getFileName().toString();
        if (!name.startsWith(".") && roleOf(name + "/").equals(role)) {
          names.add(name);
        }
      }
    }
    return names;
  }

  /** The prefixes to list in the bucket for {@code role}: its host's folder, or each site entry. */
  private List<String> bucketPrefixes(String role) throws IOException {
    List<String> prefixes = new ArrayList<>();
    for (String top : topLevel(role)) {
      prefixes.add(Files.isDirectory(root.resolve(top)) ? top + "/" : top);
    }
    if (role.equals(HostLeases.SITE)) {
      // Folders the bucket may have that this site folder lacks yet.
      for (String folder : List.of(SiteLayout.ASSETS + "/", SiteLayout.STATUS_API + "/")) {
        if (!prefixes.contains(folder)) {
          prefixes.add(folder);
        }
      }
    }
    return prefixes;
  }

  private static void pause() {
    try {
      Thread.sleep(500);
    } catch (InterruptedException interrupted) {
      Thread.currentThread().interrupt();
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
    long started = System.nanoTime();
    synchronized (pending) {
      closed = true;
      pending.notifyAll();
    }
    try {
      thread.join(CLOSE_MILLIS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    puts.close(Math.max(0, CLOSE_MILLIS - (System.nanoTime() - started) / 1_000_000));
  }
}
