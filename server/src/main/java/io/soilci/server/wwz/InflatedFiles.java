package io.soilci.server.wwz;

import io.soilci.server.http.Head;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;
import org.jspecify.annotations.Nullable;
import org.xnio.IoUtils;

/**
 * Zip entries inflated once into files that are deleted as soon as they are open and kept open, up
 * to a byte budget (least recently used dropped first), so an answer goes from one by sendfile as a
 * static file does: the bytes are not copied out of the JVM's memory on every answer, and they sit
 * in the kernel's page cache, which may write them to the disk under memory pressure, not in the
 * JVM's memory. Each name holds one version: a lookup with another version misses, and a new
 * version drops the old. A file dropped is closed a minute later, once answers still sending it are
 * done (one slower than that is cut short). At most the entry's declared size is inflated.
 *
 * <p>An entry is written in whole chunks of 1 MiB, each at a multiple of 1 MiB: the page cache
 * keeps a file in pieces (folios) as large as the writes that made them, and a sendfile walks those
 * pieces. Written as it was inflated (a few KiB at a time: the inflater's input buffer's worth), a
 * 1 MiB entry lay in 256 pages where a static file written at once lies in one piece, and every
 * answer paid for walking them. At most one inflation per core runs at once, each with a chunk
 * buffer of its own kept off-heap for the next (written without a copy); more wait.
 */
final class InflatedFiles implements AutoCloseable {
  private static final long CLOSE_AFTER_NANOS = 60_000_000_000L;
  private static final int CHUNK = 1 << 20;

  /** An entry's plain bytes: all of {@code channel}, {@code size} bytes. */
  record Inflated(FileChannel channel, long size, Head head) {}

  private record Versioned(String version, Inflated inflated) {}

  private record Retired(FileChannel channel, long since) {}

  private final Path folder;
  private final long budget;
  private final long maxEntryBytes;
  private long used;
  private final Map<String, Versioned> entries = new LinkedHashMap<>(64, 0.75f, true);
  private final Deque<Retired> retired = new ArrayDeque<>();
  private final Semaphore inflating;
  private final Queue<ByteBuffer> chunks = new ConcurrentLinkedQueue<>();

  /**
   * Keeps its files in {@code folder} (emptied now: a file is there only between its creation and
   * its deletion a moment later, so one there now was left by a crash).
   */
  InflatedFiles(Path folder, long budget, long maxEntryBytes) throws IOException {
    this(folder, budget, maxEntryBytes, Math.max(2, Runtime.getRuntime().availableProcessors()));
  }

  /** As above, with at most {@code atOnce} inflations at once. */
  InflatedFiles(Path folder, long budget, long maxEntryBytes, int atOnce) throws IOException {
    this.inflating = new Semaphore(atOnce);
    this.folder = Files.createDirectories(folder);
    this.budget = budget;
    this.maxEntryBytes = Math.min(budget, maxEntryBytes);
    try (Stream<Path> left = Files.list(folder)) {
      for (Path file : (Iterable<Path>) left::iterator) {
        Files.deleteIfExists(file);
      }
    }
  }

  /** True if an entry of {@code size} bytes may be kept. */
  boolean fits(long size) {
    return size <= maxEntryBytes;
  }

  /** {@code version} of {@code name} if it is kept, else null. */
  synchronized @Nullable Inflated get(String name, String version) {
    Versioned known = entries.get(name);
    return known != null && known.version.equals(version) ? known.inflated : null;
  }

  /**
   * Inflates {@code entry} of {@code zip} into a new file and keeps it as {@code version} of {@code
   * name}; an error (the disk full, a corrupt entry) leaves nothing behind.
   */
  Inflated put(String name, String version, ZipFile zip, ZipArchiveEntry entry, Head head)
      throws IOException {
    Path file = Files.createTempFile(folder, "entry-", ".tmp");
    FileChannel channel;
    try {
      channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
    } finally {
      Files.delete(file);
    }
    Inflated inflated;
    try {
      inflated = new Inflated(channel, write(zip, entry, channel), head);
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
    synchronized (this) {
      closeRetired(false);
      Versioned previous = entries.put(name, new Versioned(version, inflated));
      used += inflated.size - (previous == null ? 0 : previous.inflated.size);
      if (previous != null) {
        retired.add(new Retired(previous.inflated.channel, System.nanoTime()));
      }
      var eldest = entries.values().iterator();
      while (used > budget && eldest.hasNext()) {
        Inflated dropped = eldest.next().inflated;
        used -= dropped.size;
        retired.add(new Retired(dropped.channel, System.nanoTime()));
        eldest.remove();
      }
    }
    return inflated;
  }

  /**
   * Writes exactly the entry's declared size of plain bytes to {@code out}, in whole chunks; that
   * size.
   */
  private long write(ZipFile zip, ZipArchiveEntry entry, FileChannel out) throws IOException {
    try {
      inflating.acquire();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted waiting to inflate " + entry.getName());
    }
    ByteBuffer chunk = chunks.poll();
    try {
      if (chunk == null) {
        chunk = ByteBuffer.allocateDirect(CHUNK);
      }
      return write(zip, entry, chunk, out);
    } finally {
      if (chunk != null) {
        chunks.add(chunk);
      }
      inflating.release();
    }
  }

  private static long write(ZipFile zip, ZipArchiveEntry entry, ByteBuffer chunk, FileChannel out)
      throws IOException {
    long size = entry.getSize();
    long done = 0;
    try (InputStream in = zip.getInputStream(entry)) {
      ReadableByteChannel plain = Channels.newChannel(in);
      boolean ended = false;
      while (done < size && !ended) {
        chunk.clear().limit((int) Math.min(CHUNK, size - done));
        while (chunk.hasRemaining() && !ended) {
          ended = plain.read(chunk) < 0;
        }
        chunk.flip();
        while (chunk.hasRemaining()) {
          done += out.write(chunk, done);
        }
      }
    }
    if (done < size) {
      throw new IOException(entry.getName() + " is shorter than its declared size");
    }
    return size;
  }

  private void closeRetired(boolean all) {
    long now = System.nanoTime();
    while (!retired.isEmpty() && (all || now - retired.peek().since() > CLOSE_AFTER_NANOS)) {
      IoUtils.safeClose(retired.poll().channel());
    }
  }

  @Override
  public synchronized void close() {
    closeRetired(true);
    entries.values().forEach(v -> IoUtils.safeClose(v.inflated.channel));
    entries.clear();
  }
}
