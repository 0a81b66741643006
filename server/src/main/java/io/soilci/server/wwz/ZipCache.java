package io.soilci.server.wwz;

import io.undertow.util.DateUtils;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Date;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;
import org.jspecify.annotations.Nullable;

/**
 * Open zips, keyed by their path under the site as asked for, each the version of the file it was
 * opened as (modification time, size and inode): a zip renamed over the old one is opened fresh on
 * the next request. Replaced or evicted zips are closed a while later, once requests still reading
 * them are done. A zip is never used through a link: each lookup looks at every folder on its way
 * under the site (a folder replaced by a link is a miss) and at the zip itself, links not followed.
 */
final class ZipCache implements AutoCloseable {
  private static final long CLOSE_AFTER_NANOS = 60_000_000_000L;

  /**
   * One opened zip; {@code key} identifies this version of the file. {@code file} is the channel
   * the zip reads through (closed with it): raw entry bytes are copied from it by position.
   */
  static final class OpenZip {
    final Path path;
    final String key;
    private final Place place;
    private final long size;
    private final @Nullable Object fileKey;
    final ZipFile zip;
    final FileChannel file;
    final long modifiedMillis;

    /** {@code Last-Modified} of every answer from this zip. */
    final String lastModified;

    private @Nullable List<String> names;
    private final Map<String, Optional<DeflatedEntry>> deflated = new ConcurrentHashMap<>();
    private final Map<String, Named> named = new ConcurrentHashMap<>();

    OpenZip(Place place, BasicFileAttributes attrs, ZipFile zip, FileChannel file) {
      this.place = place;
      this.path = place.file();
      this.key = key(place.file(), attrs);
      this.size = attrs.size();
      this.fileKey = attrs.fileKey();
      this.zip = zip;
      this.file = file;
      this.modifiedMillis = attrs.lastModifiedTime().toMillis();
      this.lastModified = DateUtils.toDateString(new Date(modifiedMillis));
    }

    /** True if {@code attrs} (of this zip's path) are of the version this is open as. */
    boolean isVersion(BasicFileAttributes attrs) {
      return attrs.lastModifiedTime().toMillis() == modifiedMillis
          && attrs.size() == size
          && Objects.equals(attrs.fileKey(), fileKey);
    }

    /**
     * The entry a request named {@code name}, if {@link #remember} was told it: no lookup or check
     * of the name again.
     */
    @Nullable Named named(String name) {
      return named.get(name);
    }

    /**
     * Keeps what answering {@code name} needs: {@code entry} is this zip's entry of that name (so
     * at most one per entry is kept), a valid name ({@link io.soilci.result.WwzPath}), and {@code
     * deflated} is known.
     */
    Named remember(String name, ZipArchiveEntry entry, Optional<DeflatedEntry> deflated) {
      if (!name.equals(entry.getName())) {
        throw new IllegalArgumentException(name + " is not the entry " + entry.getName());
      }
      Named known = new Named(entry, deflated, cacheName(entry));
      named.put(name, known);
      return known;
    }

    /** Where {@code entry}'s DEFLATE data lies, found once; empty if it is not deflated. */
    Optional<DeflatedEntry> deflated(ZipArchiveEntry entry) throws IOException {
      Optional<DeflatedEntry> known = deflated.get(entry.getName());
      if (known == null) {
        known = DeflatedEntry.of(file, entry);
        deflated.put(entry.getName(), known);
      }
      return known;
    }

    /** The name {@code entry}'s plain bytes are kept under, in memory or in a file. */
    String cacheName(ZipArchiveEntry entry) {
      return path + "!" + entry.getName();
    }

    /** True if {@link #deflated} knows {@code entry} already (and so reads nothing). */
    boolean deflatedKnown(ZipArchiveEntry entry) {
      return deflated.containsKey(entry.getName());
    }

    /** Every entry name, sorted (for listings). */
    synchronized List<String> names() {
      if (names == null) {
        List<String> all = new ArrayList<>();
        for (ZipArchiveEntry e : Collections.list(zip.getEntries())) {
          all.add(e.getName());
        }
        Collections.sort(all);
        names = List.copyOf(all);
      }
      return names;
    }
  }

  /**
   * An entry as a request names it: the entry, where its DEFLATE data lies if deflated, and the
   * name its inflated bytes are kept under.
   */
  record Named(ZipArchiveEntry entry, Optional<DeflatedEntry> deflated, String cacheName) {}

  /**
   * Where a zip is: {@code name}, its path under the site as asked for; {@code file}; {@code
   * folders}, every folder on its way under the site, none of which may be a link.
   */
  record Place(String name, Path file, List<Path> folders) {}

  private record Retired(ZipFile zip, long since) {}

  private final int capacity;
  private final Map<String, OpenZip> open;
  private final Deque<Retired> retired = new ArrayDeque<>();

  ZipCache(int capacity) {
    this.capacity = capacity;
    this.open = new LinkedHashMap<>(16, 0.75f, true);
  }

  /**
   * The zip named {@code name} (its path under the site) if it is open as the version there now and
   * reached without a link, else null: a stat of each folder on its way and of the zip, opens
   * nothing and makes no string (for the IO thread).
   */
  @Nullable OpenZip opened(String name) throws IOException {
    OpenZip cached;
    synchronized (this) {
      cached = open.get(name);
    }
    if (cached == null || !noLinks(cached.place.folders())) {
      return null;
    }
    return cached.isVersion(attributes(cached.path)) ? cached : null;
  }

  /**
   * True if no folder of {@code folders} is a link and all are there (a missing folder, a file
   * where a folder should be, no permission: false).
   */
  static boolean noLinks(List<Path> folders) throws IOException {
    try {
      for (Path dir : folders) {
        if (attributes(dir).isSymbolicLink()) {
          return false;
        }
      }
      return true;
    } catch (FileSystemException e) {
      return false;
    }
  }

  /**
   * The open zip at {@code place}, opening it if new or changed; the caller has seen that its
   * folders are no links ({@link #noLinks}).
   */
  OpenZip get(Place place) throws IOException {
    Path path = place.file();
    BasicFileAttributes attrs = attributes(path);
    synchronized (this) {
      closeRetired(false);
      OpenZip cached = open.get(place.name());
      if (cached != null && cached.isVersion(attrs)) {
        return cached;
      }
    }
    FileChannel file = FileChannel.open(path, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
    OpenZip fresh;
    try {
      fresh = new OpenZip(place, attrs, ZipFile.builder().setSeekableByteChannel(file).get(), file);
    } catch (IOException | RuntimeException e) {
      file.close();
      throw e;
    }
    synchronized (this) {
      OpenZip previous = open.put(place.name(), fresh);
      if (previous != null) {
        retired.add(new Retired(previous.zip, System.nanoTime()));
      }
      while (open.size() > capacity) {
        var eldest = open.entrySet().iterator();
        retired.add(new Retired(eldest.next().getValue().zip, System.nanoTime()));
        eldest.remove();
      }
    }
    return fresh;
  }

  /** The zip's own attributes: a link is not followed. */
  private static BasicFileAttributes attributes(Path path) throws IOException {
    return Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
  }

  /** One version of the file: a zip renamed over it has a new inode, size or time. */
  private static String key(Path path, BasicFileAttributes attrs) {
    return path
        + "|"
        + attrs.lastModifiedTime().toMillis()
        + "|"
        + attrs.size()
        + "|"
        + Objects.toString(attrs.fileKey());
  }

  private void closeRetired(boolean all) {
    long now = System.nanoTime();
    while (!retired.isEmpty() && (all || now - retired.peek().since() > CLOSE_AFTER_NANOS)) {
      ZipFile.closeQuietly(retired.poll().zip());
    }
  }

  @Override
  public synchronized void close() {
    closeRetired(true);
    open.values().forEach(z -> ZipFile.closeQuietly(z.zip));
    open.clear();
  }
}
