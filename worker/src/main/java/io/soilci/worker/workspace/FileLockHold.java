package io.soilci.worker.workspace;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import org.jspecify.annotations.Nullable;

/**
 * An exclusive lock on a lock file, held against other processes (an OS file lock) and other
 * threads of this one (a semaphore per file: the OS lock alone is per process). Closing it releases
 * both; the OS drops the file lock by itself when the process dies.
 */
final class FileLockHold implements AutoCloseable {
  private static final ConcurrentHashMap<Path, Semaphore> IN_PROCESS = new ConcurrentHashMap<>();

  private final Semaphore semaphore;
  private final FileChannel channel;
  private final FileLock lock;

  private FileLockHold(Semaphore semaphore, FileChannel channel, FileLock lock) {
    this.semaphore = semaphore;
    this.channel = channel;
    this.lock = lock;
  }

  /** Waits until the lock on {@code file} is free and takes it. */
  static FileLockHold take(Path file) {
    Semaphore semaphore = semaphore(file);
    semaphore.acquireUninterruptibly();
    try {
      FileChannel channel = open(file);
      return new FileLockHold(semaphore, channel, channel.lock());
    } catch (IOException e) {
      semaphore.release();
      throw new UncheckedIOException("cannot lock " + file, e);
    }
  }

  /** Takes the lock on {@code file} when it is free now; null when someone holds it. */
  static @Nullable FileLockHold tryTake(Path file) {
    Semaphore semaphore = semaphore(file);
    if (!semaphore.tryAcquire()) {
      return null;
    }
    FileChannel channel = null;
    try {
      channel = open(file);
      FileLock lock = channel.tryLock();
      if (lock != null) {
        return new FileLockHold(semaphore, channel, lock);
      }
    } catch (IOException e) {
      semaphore.release();
      throw new UncheckedIOException("cannot lock " + file, e);
    } catch (OverlappingFileLockException e) {
      // Held by this process through another channel: taken.
    }
    closeQuietly(channel);
    semaphore.release();
    return null;
  }

  /** Whether someone holds the lock on {@code file} now. */
  static boolean isHeld(Path file) {
    FileLockHold hold = tryTake(file);
    if (hold == null) {
      return true;
    }
    hold.close();
    return false;
  }

  @Override
  public void close() {
    try {
      lock.release();
      channel.close();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot unlock a workspace lock", e);
    } finally {
      semaphore.release();
    }
  }

  private static Semaphore semaphore(Path file) {
    return IN_PROCESS.computeIfAbsent(file.toAbsolutePath().normalize(), key -> new Semaphore(1));
  }

  private static FileChannel open(Path file) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    return FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
  }

  private static void closeQuietly(@Nullable FileChannel channel) {
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException e) {
        // Nothing was locked through it.
      }
    }
  }
}
