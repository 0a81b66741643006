package io.soilci.server.files;

import io.soilci.server.http.Head;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiFunction;
import org.jspecify.annotations.Nullable;
import org.xnio.IoUtils;

/**
 * Large files of the site kept open, each as the version it was opened as, so a request costs one
 * stat and a sendfile, no open and close. A replaced or evicted file is closed a minute later, once
 * answers still sending it are done (one slower than that is cut short).
 */
final class OpenFiles implements AutoCloseable {
  private static final long CLOSE_AFTER_NANOS = 60_000_000_000L;

  /** A file open as {@code version}, and the head of that version. */
  record Opened(FileVersion version, FileChannel channel, Head head) {}

  private record Retired(FileChannel channel, long since) {}

  private final int capacity;
  private final BiFunction<Path, FileVersion, Head> heads;
  private final Map<Path, Opened> open = new LinkedHashMap<>(16, 0.75f, true);
  private final Deque<Retired> retired = new ArrayDeque<>();

  /** At most {@code capacity} files open; {@code heads} makes the head of a version opened. */
  OpenFiles(int capacity, BiFunction<Path, FileVersion, Head> heads) {
    this.capacity = capacity;
    this.heads = heads;
  }

  /**
   * The file at {@code path} if it is open as {@code version} already, else null; opens nothing
   * (for the IO thread).
   */
  synchronized @Nullable Opened opened(Path path, FileVersion version) {
    Opened known = open.get(path);
    return known != null && known.version.equals(version) ? known : null;
  }

  /**
   * The file at {@code path} open as {@code version}, or null if it is no longer that version (the
   * caller looks at the file again).
   */
  @Nullable Opened get(Path path, FileVersion version) throws IOException {
    synchronized (this) {
      closeRetired(false);
      Opened known = open.get(path);
      if (known != null && known.version.equals(version)) {
        return known;
      }
    }
    FileChannel channel = open(path, version);
    if (channel == null) {
      return null;
    }
    Opened fresh = new Opened(version, channel, heads.apply(path, version));
    synchronized (this) {
      Opened previous = open.put(path, fresh);
      if (previous != null) {
        retired.add(new Retired(previous.channel, System.nanoTime()));
      }
      while (open.size() > capacity) {
        var eldest = open.entrySet().iterator();
        retired.add(new Retired(eldest.next().getValue().channel, System.nanoTime()));
        eldest.remove();
      }
    }
    return fresh;
  }

  /**
   * Opens {@code path} if it still is {@code version} once open: the same inode before and after
   * the open means the channel reads that inode, whose bytes a rename never changes.
   */
  static @Nullable FileChannel open(Path path, FileVersion version) throws IOException {
    FileChannel channel;
    try {
      channel = FileChannel.open(path, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
    } catch (NoSuchFileException e) {
      return null;
    }
    boolean same = false;
    try {
      var now = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      same = FileVersion.of(now).equals(version) && channel.size() == version.size();
    } catch (NoSuchFileException e) {
      // Renamed away after the open: not known to be the version asked for.
    } finally {
      if (!same) {
        channel.close();
      }
    }
    return same ? channel : null;
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
    open.values().forEach(o -> IoUtils.safeClose(o.channel));
    open.clear();
  }
}
