package io.soilci.server.wwz;

import io.undertow.util.DateUtils;
import java.io.IOException;
import java.nio.channels.FileChannel;
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
 * Open zips, keyed by path, modification time, size and inode: a zip renamed over the old one is
 * opened fresh on the next request. Replaced or evicted zips are closed a while later, once
 * requests still reading them are done.
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
    final ZipFile zip;
    final FileChannel file;
    final long modifiedMillis;

    /** {@code Last-Modified} of every answer from this zip. */
    final String lastModified;

    private @Nullable List<String> names;
    private final Map<String, Optional<DeflatedEntry>> deflated = new ConcurrentHashMap<>();

    OpenZip(Path path, String key, ZipFile zip, FileChannel file, long modifiedMillis) {
      this.path = path;
      this.key = key;
      this.zip = zip;
      this.file = file;
      this.modifiedMillis = modifiedMillis;
      this.lastModified = DateUtils.toDateString(new Date(modifiedMillis));
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

  private record Retired(ZipFile zip, long since) {}

  private final int capacity;
  private final Map<Path, OpenZip> open;
  private final Deque<Retired> retired = new ArrayDeque<>();

  ZipCache(int capacity) {
    this.capacity = capacity;
    this.open = new LinkedHashMap<>(16, 0.75f, true);
  }

  /**
   * The zip at {@code path} if it is open as the version there now, else null: one stat, opens
   * nothing (for the IO thread).
   */
  @Nullable OpenZip opened(Path path) throws IOException {
    String key = key(path, attributes(path));
    synchronized (this) {
      OpenZip cached = open.get(path);
      return cached != null && cached.key.equals(key) ? cached : null;
    }
  }

  /** The open zip at {@code path}, opening it if new or changed. */
  OpenZip get(Path path) throws IOException {
    BasicFileAttributes attrs = attributes(path);
    String key = key(path, attrs);
    synchronized (this) {
      closeRetired(false);
      OpenZip cached = open.get(path);
      if (cached != null && cached.key.equals(key)) {
        return cached;
      }
    }
    FileChannel file = FileChannel.open(path, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
    OpenZip fresh;
    try {
      fresh =
          new OpenZip(
              path,
              key,
              ZipFile.builder().setSeekableByteChannel(file).get(),
              file,
              attrs.lastModifiedTime().toMillis());
    } catch (IOException | RuntimeException e) {
      file.close();
      throw e;
    }
    synchronized (this) {
      OpenZip previous = open.put(path, fresh);
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
