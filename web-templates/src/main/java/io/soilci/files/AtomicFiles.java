package io.soilci.files;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes files so that a reader sees the old content or the new, never a part, and so that a file
 * whose write returned survives a crash. Temp files are named {@code .tmp-*} in the target folder;
 * {@link #isTemp} tells them apart so they are never served and are swept at start.
 *
 * <p>Files are made readable by everyone ({@code rw-r--r--}, less the umask), as Soil's are: the
 * site is static files that a web server running as another user serves, or that are copied to a
 * CDN. Only {@link #writePrivate} makes a file its owner's alone (secrets: tokens, keys).
 */
public final class AtomicFiles {
  /** The prefix of every temp file this class creates. */
  public static final String TEMP_PREFIX = ".tmp-";

  private static final Set<StandardOpenOption> CREATE_NEW_WRITE =
      EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);

  private static final FileAttribute<Set<PosixFilePermission>> READABLE =
      PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-r--r--"));

  private static final FileAttribute<Set<PosixFilePermission>> OWNER_ONLY =
      PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));

  private AtomicFiles() {}

  /** Replaces {@code target} with {@code bytes}, creating its folders. */
  public static void write(Path target, byte[] bytes) throws IOException {
    write(target, bytes, READABLE);
  }

  /** As {@link #write}, but only the owner may read or write the file ({@code rw-------}). */
  public static void writePrivate(Path target, byte[] bytes) throws IOException {
    write(target, bytes, OWNER_ONLY);
  }

  private static void write(
      Path target, byte[] bytes, FileAttribute<Set<PosixFilePermission>> permissions)
      throws IOException {
    Path temp = createTemp(target, permissions);
    try {
      try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
        channel.write(java.nio.ByteBuffer.wrap(bytes));
        channel.force(true);
      }
      commit(temp, target);
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  /** Replaces {@code target} with everything read from {@code in}. */
  public static void copy(InputStream in, Path target) throws IOException {
    Path temp = createTemp(target);
    try {
      try (OutputStream out = Files.newOutputStream(temp, StandardOpenOption.WRITE)) {
        in.transferTo(out);
      }
      commit(temp, target);
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  /** A new empty temp file beside {@code target} (folders created), for a caller that streams. */
  public static Path createTemp(Path target) throws IOException {
    return createTemp(target, READABLE);
  }

  private static Path createTemp(Path target, FileAttribute<Set<PosixFilePermission>> permissions)
      throws IOException {
    Path dir = folderOf(target);
    String suffix = "-" + target.getFileName();
    // Named as Files.createTempFile names them, but from ThreadLocalRandom: the start of its
    // SecureRandom (providers, the java.security file) is paid by every short run of a jar
    // (docs/BENCHMARKS.md, "Worker start-up"), and the name needs no secret: createFile never
    // opens a file that exists. The folders are made only when missing: most writes replace a
    // file in a folder that exists, and createDirectories costs a mkdir and a stat each time.
    boolean madeFolders = false;
    while (true) {
      Path temp =
          dir.resolve(
              TEMP_PREFIX + Long.toUnsignedString(ThreadLocalRandom.current().nextLong()) + suffix);
      try {
        return Files.createFile(temp, permissions);
      } catch (FileAlreadyExistsException e) {
        // Taken: another name.
      } catch (NoSuchFileException e) {
        if (madeFolders) {
          throw e;
        }
        Files.createDirectories(dir);
        madeFolders = true;
      }
    }
  }

  /**
   * A new temp file beside {@code target} (folders created) holding {@code bytes}, not synced:
   * made, written and closed with one open (and never truncated, which on ext4 flushes the file to
   * the disk when it is closed). Named and permitted as {@link #createTemp} makes them ({@code
   * .tmp-NUMBER-NAME}, readable by everyone). A failed write deletes it.
   */
  public static Path writeTemp(Path target, byte[] bytes) throws IOException {
    Path dir = folderOf(target);
    String suffix = "-" + target.getFileName();
    boolean madeFolders = false;
    while (true) {
      Path temp =
          dir.resolve(
              TEMP_PREFIX + Long.toUnsignedString(ThreadLocalRandom.current().nextLong()) + suffix);
      FileChannel channel;
      try {
        channel = FileChannel.open(temp, CREATE_NEW_WRITE, READABLE);
      } catch (FileAlreadyExistsException e) {
        continue;
      } catch (NoSuchFileException e) {
        if (madeFolders) {
          throw e;
        }
        Files.createDirectories(dir);
        madeFolders = true;
        continue;
      }
      try (channel) {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        while (buffer.hasRemaining()) {
          channel.write(buffer);
        }
      } catch (IOException | RuntimeException e) {
        Files.deleteIfExists(temp);
        throw e;
      }
      return temp;
    }
  }

  /** Makes {@code temp} durable and renames it over {@code target}, then syncs the folder. */
  public static void commit(Path temp, Path target) throws IOException {
    sync(temp);
    Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    syncDirectory(folderOf(target));
  }

  /** Makes a file's bytes durable (before it is renamed into place). */
  public static void sync(Path file) throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
      channel.force(true);
    }
  }

  /** Makes a rename or delete in {@code dir} durable. */
  public static void syncDirectory(Path dir) throws IOException {
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true);
    }
  }

  private static Path folderOf(Path file) {
    Path dir = file.toAbsolutePath().getParent();
    if (dir == null) {
      throw new IllegalArgumentException("no parent folder: " + file);
    }
    return dir;
  }

  /** True for files this class leaves while writing. */
  public static boolean isTemp(Path file) {
    return file.getFileName().toString().startsWith(TEMP_PREFIX);
  }
}
