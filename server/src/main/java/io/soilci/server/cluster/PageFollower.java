package io.soilci.server.cluster;

import io.soilci.files.AtomicFiles;
import io.soilci.server.site.Site;
import io.soilci.server.storage.Md5;
import io.soilci.server.storage.ObjectKeys;
import io.soilci.server.storage.ObjectStore;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
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
  static final String SAVED = "pages-sequence";

  /**
   * How far each role's holder announced its pages, as far as this replica fetched them: one line
   * {@code ROLE UPTO} each, kept across restarts (a replica that replays changes after a restart
   * leaves their pages, and an idle holder announces nothing new to clear them).
   */
  static final String ANNOUNCED = "pages-announced";

  private final String replica;
  private final ObjectStore bucket;
  private final Path root;
  private final Site site;
  private final Predicate<String> rendersRole;
  private final Map<String, Long> announced = new ConcurrentHashMap<>();
  private final Path announcedFile;
  private final AtomicLong fetched = new AtomicLong();
  private final AtomicLong carried = new AtomicLong();
  private final StreamFollower follower;

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
      Path state,
      Predicate<String> rendersRole)
      throws IOException {
    this.replica = replica;
    this.bucket = bucket;
    this.root = root;
    this.site = site;
    this.rendersRole = rendersRole;
    this.announcedFile = state.resolve("cluster").resolve(ANNOUNCED);
    readAnnounced();
    this.follower =
        new StreamFollower(
            replica,
            "the pages' stream",
            "soil-page-follower",
            stream.pages(),
            state.resolve("cluster").resolve(SAVED),
            this::handle);
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
          "replica {}: announcement {} of the pages' stream skipped: {}",
          replica,
          delivered.sequence(),
          e.getMessage());
      return;
    }
    String role = announcement.role();
    if (announcement.origin().equals(replica) || rendersRole.test(role)) {
      return; // this replica rendered them (or renders them now: it took the role since)
    }
    for (Map.Entry<String, String> page : announcement.pages().entrySet()) {
      String path = page.getKey();
      if (!ObjectKeys.isValid(path)
          || !PageMirror.isMirrored(path)
          || !PageMirror.roleOf(path).equals(role)) {
        LOG.warn("replica {}: announced page {} of {} is not one: skipped", replica, path, role);
        continue;
      }
      while (!follower.closed()) {
        try {
          put(path, page.getValue(), announcement.inline().get(path));
          break;
        } catch (IOException e) {
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

  /** Saved after the pages are in place: a crash leaves it behind them, never ahead. */
  private void saveAnnounced() {
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
      return; // deleted since: a later announcement says so
    }
    if (!md5.equals(Md5.hex(bytes))) {
      return; // put again since: a later announcement names it
    }
    Files.createDirectories(file.getParent());
    AtomicFiles.write(file, bytes);
    fetched.incrementAndGet();
  }

  @Override
  public void close() {
    follower.close();
  }
}
