package io.soilci.server.wwz;

import io.soilci.server.http.Gzip;
import io.soilci.server.storage.ObjectChangedException;
import io.soilci.server.storage.ObjectStore;
import io.soilci.server.storage.StoredObject;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;
import org.jspecify.annotations.Nullable;

/**
 * Entries of a wwz kept in the bucket, for a replica whose own site folder does not have the zip
 * yet: the zip's central directory is read once per version of the object (a HEAD, then one ranged
 * GET of its end), and each entry after that with one ranged GET of its own bytes, of that version
 * only ({@code If-Match}). A zip replaced in the bucket is read afresh on the next request. The
 * parsing is Commons Compress's, over the object as a channel ({@link ObjectChannel}).
 */
public final class BucketWwz {
  /** Slack over an entry's range for a local header whose extra field is longer than central. */
  private static final int LOCAL_SLACK = 1024;

  private static final int LOCAL_HEADER_BYTES = 30;

  /** The largest entry read whole into memory from the bucket. */
  static final long MAX_ENTRY = 256L << 20;

  private record Opened(ObjectChannel channel, ZipFile zip) {}

  /** Reads an entry of one opened version. */
  private interface EntryRead<T> {
    T apply(Opened zip, ZipArchiveEntry entry) throws IOException;
  }

  private final ObjectStore store;
  private final int capacity;
  private final Map<String, Opened> open;

  /** Keeps the directories of the {@code capacity} zips read last. */
  public BucketWwz(ObjectStore store, int capacity) {
    this.store = store;
    this.capacity = capacity;
    this.open = new LinkedHashMap<>(16, 0.75f, true);
  }

  /**
   * The plain bytes of entry {@code name} of the wwz at {@code key}; empty when the bucket has no
   * such zip or the zip no such file.
   */
  public Optional<ByteBuffer> entry(String key, String name) throws IOException {
    return withEntry(
        key,
        name,
        (zip, entry) -> {
          if (entry.getSize() < 0 || entry.getSize() > MAX_ENTRY) {
            throw new IOException(
                name
                    + " in "
                    + key
                    + " is "
                    + entry.getSize()
                    + " bytes; at most "
                    + MAX_ENTRY
                    + " are read from the bucket");
          }
          prefetch(zip, entry);
          return EntryBytes.read(zip.zip(), entry);
        });
  }

  /**
   * A deflated entry as a gzip member (header, the entry's own DEFLATE bytes, trailer), nothing
   * inflated; empty when the zip or entry is missing or the entry is stored, not deflated.
   */
  public Optional<ByteBuffer> gzip(String key, String name) throws IOException {
    return withEntry(key, name, BucketWwz::gzipMember).flatMap(o -> o);
  }

  private static Optional<ByteBuffer> gzipMember(Opened zip, ZipArchiveEntry entry)
      throws IOException {
    if (entry.getCompressedSize() > MAX_ENTRY) {
      throw new IOException(entry.getName() + " is too large to read from the bucket");
    }
    prefetch(zip, entry);
    Optional<DeflatedEntry> deflated =
        DeflatedEntry.of(zip.channel()::read, zip.channel().size(), entry);
    if (deflated.isEmpty()) {
      return Optional.empty();
    }
    DeflatedEntry d = deflated.get();
    ByteBuffer header = Gzip.header();
    ByteBuffer trailer = Gzip.trailer(d.crc(), d.size());
    ByteBuffer out =
        ByteBuffer.allocate(header.remaining() + (int) d.compressedSize() + trailer.remaining());
    out.put(header);
    ByteBuffer body = out.slice().limit((int) d.compressedSize());
    while (body.hasRemaining()) {
      if (zip.channel().read(body, d.offset() + body.position()) < 0) {
        throw new IOException(entry.getName() + ": the zip ends inside its deflated data");
      }
    }
    out.position(out.position() + (int) d.compressedSize());
    out.put(trailer);
    return Optional.of(out.flip().asReadOnlyBuffer());
  }

  /** The entry's local header and data in one ranged GET. */
  private static void prefetch(Opened zip, ZipArchiveEntry entry) throws IOException {
    zip.channel()
        .prefetch(
            entry.getLocalHeaderOffset(),
            LOCAL_HEADER_BYTES
                + entry.getRawName().length
                + entry.getCentralDirectoryExtra().length
                + entry.getCompressedSize()
                + LOCAL_SLACK);
  }

  /**
   * Runs {@code read} on the entry in the version of the zip known here; when that version turns
   * out to be replaced (a read fails its {@code If-Match}, or the entry is missing and a HEAD shows
   * another version), once more on the version there now.
   */
  private <T> Optional<T> withEntry(String key, String name, EntryRead<T> read) throws IOException {
    Opened zip = known(key);
    for (int attempt = 0; ; attempt++) {
      if (zip == null) {
        zip = opened(key);
        if (zip == null) {
          return Optional.empty();
        }
      }
      ZipArchiveEntry entry = zip.zip().getEntry(name);
      try {
        if (entry == null || entry.isDirectory()) {
          if (attempt == 0 && !current(zip)) {
            zip = null;
            continue;
          }
          return Optional.empty();
        }
        return Optional.of(read.apply(zip, entry));
      } catch (IOException e) {
        if (attempt > 0 || !changed(e)) {
          throw e;
        }
        forget(key, zip);
        zip = null;
      }
    }
  }

  private static boolean changed(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof ObjectChangedException) {
        return true;
      }
    }
    return false;
  }

  private boolean current(Opened zip) throws IOException {
    StoredObject version = zip.channel().version();
    return store.head(version.key()).map(version::equals).orElse(false);
  }

  private synchronized @Nullable Opened known(String key) {
    return open.get(key);
  }

  private synchronized void forget(String key, Opened zip) {
    open.remove(key, zip);
  }

  /** The version in the bucket now, its directory read; null when there is no such object. */
  private @Nullable Opened opened(String key) throws IOException {
    Optional<StoredObject> version = store.head(key);
    if (version.isEmpty()) {
      synchronized (this) {
        open.remove(key);
      }
      return null;
    }
    ObjectChannel channel = new ObjectChannel(store, version.get());
    channel.fetchTail();
    Opened fresh =
        new Opened(
            channel,
            ZipFile.builder().setSeekableByteChannel(channel).setIgnoreLocalFileHeader(true).get());
    synchronized (this) {
      open.put(key, fresh);
      while (open.size() > capacity) {
        // Dropped, not closed: a request may still read it; it holds memory only.
        var eldest = open.entrySet().iterator();
        eldest.next();
        eldest.remove();
      }
    }
    return fresh;
  }
}
