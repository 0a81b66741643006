package io.soilci.server.cluster;

import io.soilci.files.AtomicFiles;
import io.soilci.result.FolderIsAFile;
import io.soilci.result.SiteLayout;
import io.soilci.server.site.Site;
import io.soilci.server.state.StateLayout;
import io.soilci.server.storage.Md5;
import io.soilci.server.storage.ObjectStore;
import io.soilci.server.storage.StoredObject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This replica's reader of the pages' stream ({@link ChangeStream#PAGES_STREAM}): the role holders'
 * announcements, in order from the sequence after the last one applied (kept in {@code
 * STATE/cluster/pages-sequence}, and how far each role is announced in {@code
 * STATE/cluster/pages-announced}). For a role this replica does not render, each page announced is
 * fetched from the bucket into the site folder (a temp file renamed over the page, as the feed
 * fetches a job's files) unless the folder has those bytes already, and each page announced deleted
 * is deleted; then the site hears that the role's pages are current as far as the announcement's
 * {@code upTo} ({@link Site#pagesAnnounced}). A page whose bytes the announcement carries (a small
 * one: {@link PageAnnouncement#inline}) is written from them, with no GET. An object whose MD5 is
 * not the announced one was put again since: a later announcement names it. A page that cannot be
 * fetched for want of the bucket or the disk is tried again until it can.
 */
final class PageFollower implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PageFollower.class);

  private final String replica;
  private final ObjectStore bucket;
  private final Path root;
  private final Site site;
  private final Predicate<String> rendersRole;
  private final Map<String, Long> announced = new ConcurrentHashMap<>();
  private static final long SAVE_EVERY_NANOS = 1_000_000_000L;

  /** When {@link #announced} was last saved (System.nanoTime); on the follower's thread. */
  private long savedAt = System.nanoTime() - SAVE_EVERY_NANOS;

  /**
   * The replica whose takeover of each role was read last ({@link PageAnnouncement#takeover}): the
   * role's announcements from any other are a former holder's, late, and are not taken. Read on the
   * follower's thread only; unknown after a restart until the next takeover.
   */
  private final Map<String, String> takers = new HashMap<>();

  // How far each role's holder announced its pages, as far as this replica fetched them: one line
  // ROLE UPTO each, kept across restarts (a replica that replays changes after a restart leaves
  // their pages, and an idle holder announces nothing new to clear them).
  private final Path announcedFile;
  private final AtomicLong fetched = new AtomicLong();
  private final AtomicLong carried = new AtomicLong();
  private final StreamFollower follower;
  private final PageMirror mirror;
  private final ChangeStream changes;

  /**
   * A follower of {@code stream}'s pages into {@code site} (its folder {@code root}), resuming
   * after the sequence saved in {@code state}; it skips the roles {@code rendersRole} says this
   * replica renders.
   */
  PageFollower(
      String replica,
      ChangeStream stream,
      ObjectStore bucket,
      Path root,
      Site site,
      StateLayout state,
      Predicate<String> rendersRole,
      PageMirror mirror)
      throws IOException {
    this.mirror = mirror;
    this.changes = stream;
    this.replica = replica;
    this.bucket = bucket;
    this.root = root;
    this.site = site;
    this.rendersRole = rendersRole;
    this.announcedFile = state.pagesAnnounced();
    readAnnounced();
    this.follower =
        new StreamFollower(
            replica,
            "the pages' stream",
            "soil-page-follower",
            stream.pages(),
            state.pagesSequence(),
            this::handle,
            this::missed);
  }

  void start() {
    follower.start();
  }

  /**
   * How far the holder of {@code role} announced its pages, as far as this replica fetched them.
   */
  long announced(String role) {
    return announced.getOrDefault(role, 0L);
  }

  /**
   * The least of how far each role's pages were announced (0 when unknown): every change after it
   * may have changed a page whose announcement was not made or not fetched here. A replica that
   * starts applies the changes again from there, so that those pages are left again ({@link
   * Site#renderOnly}) until announced, or rendered when it takes their role.
   */
  long leastAnnounced() {
    return announced.values().stream().mapToLong(Long::longValue).min().orElse(0);
  }

  /** Pages fetched from the bucket since start. */
  long fetched() {
    return fetched.get();
  }

  /** Pages written from the bytes their announcement carried, since start. */
  long carried() {
    return carried.get();
  }

  private void handle(ChangeStream.Delivered delivered) throws InterruptedException {
    PageAnnouncement announcement;
    try {
      announcement = PageAnnouncement.decode(delivered.bytes());
    } catch (IOException e) {
      LOG.error(
          "replica {}: announcement {} of the pages' stream refused: {}",
          replica,
          delivered.sequence(),
          e.getMessage());
      return;
    }
    String role = announcement.role();
    String taker = takers.get(role);
    if (announcement.takeover()) {
      takers.put(role, announcement.origin());
    } else if (taker != null && !taker.equals(announcement.origin())) {
      LOG.info(
          "replica {}: announcement {} of {} by {} skipped: {} took the role since",
          replica,
          delivered.sequence(),
          role,
          announcement.origin(),
          taker);
      return;
    }
    if (announcement.origin().equals(replica)) {
      // This replica rendered them; how far it announced counts at its next start.
      if (announcement.upTo() > 0) {
        announced.merge(role, announcement.upTo(), Math::max);
        saveAnnounced();
      }
      return;
    }
    if (rendersRole.test(role)) {
      LOG.debug(
          "announcement {} of {} by {}: skipped",
          delivered.sequence(),
          role,
          announcement.origin());
      return; // this replica renders them now: it took the role since
    }
    if (LOG.isDebugEnabled()) {
      LOG.debug(
          "announcement {} of {} by {}: up to {}, {}",
          delivered.sequence(),
          role,
          announcement.origin(),
          announcement.upTo(),
          announcement.pages());
    }
    for (Map.Entry<String, String> page : announcement.pages().entrySet()) {
      String path = page.getKey();
      while (!follower.closed()) {
        try {
          put(path, page.getValue(), announcement.inline().get(path));
          break;
        } catch (IOException e) {
          Optional<FolderIsAFile> plain = new SiteLayout(root).folderIsAFile(root.resolve(path));
          if (plain.isPresent()) {
            // An operator's file in this replica's site: left alone (trying again would hold up
            // every later page); the page is fetched again once it is announced after the move.
            LOG.warn(
                "replica {}: page {} not fetched: {}", replica, path, plain.get().getMessage());
            break;
          }
          LOG.warn(
              "replica {}: page {} announced by {} not fetched yet, trying again: {}",
              replica,
              path,
              announcement.origin(),
              e.toString());
          follower.pause();
        }
      }
    }
    if (announcement.upTo() > 0) {
      announced.merge(role, announcement.upTo(), Math::max);
      saveAnnounced();
      site.pagesAnnounced(path -> PageMirror.roleOf(path).equals(role), announcement.upTo());
    }
  }

  /**
   * Announcements after {@code after} and before {@code next} expired before this replica read them
   * (it was away longer than the stream keeps them, {@link ChangeStream#PAGES_KEPT}): the pages
   * they named are unknown, so every page of each role this replica does not render is compared
   * with the bucket's (by MD5) and fetched where it differs or is missing here, and a page the
   * bucket no longer has (its holder deleted it: a commit's or a day's page whose runs retention
   * deleted) is deleted here ({@link PageMirror#isRendered}: pages only). Tried again until done.
   */
  private void missed(long after, long next) throws InterruptedException {
    for (String role : PageMirror.roles()) {
      while (!follower.closed() && !rendersRole.test(role)) {
        try {
          reconcile(role, after, next);
          break;
        } catch (IOException e) {
          LOG.warn(
              "replica {}: pages of {} not reconciled with the bucket yet, trying again: {}",
              replica,
              role,
              e.toString());
          follower.pause();
        }
      }
    }
  }

  private void reconcile(String role, long after, long next) throws IOException {
    long started = System.nanoTime();
    // Every change up to here was made before the listing below: the bucket's pages show it (as
    // far as the holder keeps up), so the pages it left here are current once they are fetched.
    long upTo = changes.lastSequence();
    long listedAt = System.currentTimeMillis();
    int got = 0;
    int same = 0;
    Map<String, StoredObject> stored = mirror.storedPages(role);
    for (Map.Entry<String, StoredObject> page : stored.entrySet()) {
      Path file = root.resolve(page.getKey());
      byte[] bytes;
      try {
        bytes = Files.readAllBytes(file);
      } catch (NoSuchFileException e) {
        bytes = null;
      }
      if (bytes != null && bucket.hasMd5(page.getValue(), Md5.of(bytes))) {
        same++;
        continue;
      }
      try (InputStream in = bucket.open(page.getKey())) {
        bytes = in.readAllBytes();
      } catch (NoSuchFileException e) {
        continue; // deleted since it was listed
      }
      Optional<FolderIsAFile> plain = new SiteLayout(root).folderIsAFile(file);
      if (plain.isPresent()) {
        LOG.warn(
            "replica {}: page {} not fetched: {}",
            replica,
            page.getKey(),
            plain.get().getMessage());
        continue;
      }
      Files.createDirectories(file.getParent());
      AtomicFiles.write(file, bytes);
      fetched.incrementAndGet();
      got++;
    }
    int deleted = deleteGone(role, stored.keySet(), listedAt);
    announced.merge(role, upTo, Math::max);
    saveAnnounced();
    site.pagesAnnounced(path -> PageMirror.roleOf(path).equals(role), upTo);
    LOG.info(
        "replica {}: announcements {} to {} of the pages' stream expired unread: pages of {}"
            + " reconciled with the bucket in {} ms: {} fetched, {} deleted, {} unchanged; current"
            + " up to change {}",
        replica,
        after + 1,
        next - 1,
        role,
        (System.nanoTime() - started) / 1_000_000,
        got,
        deleted,
        same,
        upTo);
  }

  /**
   * Deletes the role's pages this folder has and the bucket's listing (made at {@code listedAt})
   * does not: pages its holder deleted while this replica did not hear of it. Only rendered pages
   * ({@link PageMirror#isRendered}), only while this replica does not render the role (it may take
   * it meanwhile, and then writes its own), and only pages written before the listing (nothing else
   * writes them here: announcements are applied on this thread, one after the other).
   */
  private int deleteGone(String role, Set<String> inBucket, long listedAt) throws IOException {
    int deleted = 0;
    for (Map.Entry<String, Path> page : mirror.localPages(role).entrySet()) {
      String key = page.getKey();
      if (inBucket.contains(key) || !PageMirror.isRendered(key)) {
        continue;
      }
      if (rendersRole.test(role)) {
        break;
      }
      try {
        if (Files.getLastModifiedTime(page.getValue()).toMillis() >= listedAt) {
          continue;
        }
        Files.delete(page.getValue());
        LOG.info("replica {}: page {} deleted: the bucket no longer has it", replica, key);
        deleted++;
      } catch (NoSuchFileException e) {
        // deleted since the walk
      }
    }
    return deleted;
  }

  private void readAnnounced() throws IOException {
    List<String> lines;
    try {
      lines = Files.readAllLines(announcedFile, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return;
    }
    for (String line : lines) {
      String[] parts = line.trim().split(" ");
      if (parts.length != 2) {
        continue;
      }
      try {
        announced.put(parts[0], Long.parseLong(parts[1]));
      } catch (NumberFormatException e) {
        LOG.warn("{}: line {} skipped: not ROLE SEQUENCE", announcedFile, line);
      }
    }
  }

  /**
   * Saved after the pages are in place, at most once a second (and at close): a crash leaves it
   * behind them, never ahead, and behind only costs changes applied again at the next start.
   */
  private void saveAnnounced() {
    if (System.nanoTime() - savedAt < SAVE_EVERY_NANOS) {
      return;
    }
    saveAnnouncedNow();
  }

  private void saveAnnouncedNow() {
    savedAt = System.nanoTime();
    StringBuilder text = new StringBuilder();
    new TreeMap<>(announced).forEach((role, upTo) -> text.append(role + " " + upTo + "\n"));
    try {
      Files.createDirectories(announcedFile.getParent());
      AtomicFiles.write(announcedFile, text.toString().getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      LOG.warn("replica {}: could not save {}: {}", replica, announcedFile, e.toString());
    }
  }

  /**
   * Puts the page {@code path} whose MD5 is {@code md5} in place (empty: deletes it): the {@code
   * inline} bytes when the announcement carried them, else the bucket's copy.
   */
  private void put(String path, String md5, byte @Nullable [] inline) throws IOException {
    Path file = root.resolve(path);
    if (md5.isEmpty()) {
      Files.deleteIfExists(file);
      return;
    }
    try {
      if (md5.equals(Md5.hex(Files.readAllBytes(file)))) {
        return; // the same bytes already (a status file every replica writes)
      }
    } catch (NoSuchFileException e) {
      // fetched below
    }
    if (inline != null && md5.equals(Md5.hex(inline))) {
      Files.createDirectories(file.getParent());
      AtomicFiles.write(file, inline);
      carried.incrementAndGet();
      return;
    }
    byte[] bytes;
    try (InputStream in = bucket.open(path)) {
      bytes = in.readAllBytes();
    } catch (NoSuchFileException e) {
      LOG.debug("page {}: not in the bucket", path);
      return; // deleted since: a later announcement says so
    }
    if (!md5.equals(Md5.hex(bytes))) {
      LOG.debug("page {}: the bucket has other bytes than {}", path, md5);
      return; // put again since: a later announcement names it
    }
    Files.createDirectories(file.getParent());
    AtomicFiles.write(file, bytes);
    fetched.incrementAndGet();
  }

  @Override
  public void close() {
    follower.close();
    saveAnnouncedNow();
  }
}
