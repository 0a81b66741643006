package io.soilci.server.wwz;

import io.soilci.server.storage.ObjectStore;
import io.soilci.server.storage.StoredObject;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.NonWritableChannelException;
import java.nio.channels.SeekableByteChannel;
import java.util.ArrayDeque;
import java.util.Deque;
import org.jspecify.annotations.Nullable;

/**
 * One version of an object in the bucket as a read-only channel, for a {@code ZipFile} to read
 * through: every byte comes from a ranged GET of that version ({@link ObjectStore#readVersion}),
 * kept in a few windows. {@link #fetchTail} gets the object's end (where a zip keeps its central
 * directory) in one GET; {@link #prefetch} gets an entry's whole range in one GET before the zip
 * reads its local header and data. A read outside every window fetches {@value #READ_AHEAD} bytes
 * from there.
 */
final class ObjectChannel implements SeekableByteChannel {
  /** The end fetched at once: a central directory of a few thousand entries. */
  static final int TAIL = 256 * 1024;

  static final int READ_AHEAD = 64 * 1024;

  /** The most one prefetch holds in memory; a larger entry is read a window at a time. */
  static final int MAX_PREFETCH = 16 << 20;

  private static final int WINDOWS = 4;

  private record Window(long start, byte[] bytes) {
    boolean covers(long from, long length) {
      return from >= start && from + length <= start + bytes.length;
    }
  }

  private final ObjectStore store;
  private final StoredObject version;
  private @Nullable Window tail;
  private final Deque<Window> windows = new ArrayDeque<>();
  private long position;
  private boolean open = true;

  ObjectChannel(ObjectStore store, StoredObject version) {
    this.store = store;
    this.version = version;
  }

  StoredObject version() {
    return version;
  }

  /** Gets the last {@value #TAIL} bytes (or all of a smaller object) in one ranged GET. */
  synchronized void fetchTail() throws IOException {
    long start = Math.max(0, version.length() - TAIL);
    tail = new Window(start, store.readVersion(version, start, (int) (version.length() - start)));
  }

  /**
   * Gets {@code [offset, offset + length)} in one ranged GET of this version, even when a window
   * holds it: each request for an entry asks the bucket once, so a replaced object is noticed (its
   * {@code If-Match} fails) instead of old bytes being served from memory.
   */
  synchronized void prefetch(long offset, long length) throws IOException {
    long clipped = Math.min(length, version.length() - offset);
    if (clipped > 0 && clipped <= MAX_PREFETCH) {
      fetch(offset, (int) clipped);
    }
  }

  private @Nullable Window window(long offset, long length) {
    if (tail != null && tail.covers(offset, length)) {
      return tail;
    }
    for (Window w : windows) {
      if (w.covers(offset, length)) {
        return w;
      }
    }
    return null;
  }

  private Window fetch(long offset, int length) throws IOException {
    Window fetched = new Window(offset, store.readVersion(version, offset, length));
    windows.addFirst(fetched);
    while (windows.size() > WINDOWS) {
      windows.removeLast();
    }
    return fetched;
  }

  /** Reads at {@code at} without moving the position, as {@code FileChannel.read(dst, at)}. */
  synchronized int read(ByteBuffer dst, long at) throws IOException {
    if (!open) {
      throw new ClosedChannelException();
    }
    if (at >= version.length()) {
      return -1;
    }
    if (!dst.hasRemaining()) {
      return 0;
    }
    Window w = window(at, 1);
    if (w == null) {
      int ahead = (int) Math.min(Math.max(dst.remaining(), READ_AHEAD), version.length() - at);
      w = fetch(at, ahead);
    }
    int from = (int) (at - w.start());
    int n = Math.min(dst.remaining(), w.bytes().length - from);
    if (n <= 0) {
      throw new IOException(
          "object '" + version.key() + "' ended at byte " + at + " before its length");
    }
    dst.put(w.bytes(), from, n);
    return n;
  }

  @Override
  public synchronized int read(ByteBuffer dst) throws IOException {
    int n = read(dst, position);
    if (n > 0) {
      position += n;
    }
    return n;
  }

  @Override
  public int write(ByteBuffer src) {
    throw new NonWritableChannelException();
  }

  @Override
  public synchronized long position() {
    return position;
  }

  @Override
  public synchronized SeekableByteChannel position(long newPosition) {
    if (newPosition < 0) {
      throw new IllegalArgumentException("position " + newPosition + " is negative");
    }
    position = newPosition;
    return this;
  }

  @Override
  public long size() {
    return version.length();
  }

  @Override
  public SeekableByteChannel truncate(long size) {
    throw new NonWritableChannelException();
  }

  @Override
  public synchronized boolean isOpen() {
    return open;
  }

  @Override
  public synchronized void close() {
    open = false;
    tail = null;
    windows.clear();
  }
}
