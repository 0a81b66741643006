package io.soilci.server.storage;

import io.soilci.files.AtomicFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * An {@link ObjectStore} in a local folder: a key is the file at that relative path under the root.
 * Writes go through {@link AtomicFiles} (temp file beside the target, fsync, rename), so a reader
 * sees the old file or the new; the content type is not kept (the folder's server infers it from
 * the name). An etag is a hash of the file's size, modification time and inode, which a rename of a
 * new file over it changes.
 */
public final class FolderObjectStore implements ObjectStore {
  private final Path root;

  /** A store under {@code root}, which need not exist yet (the first put creates it). */
  public FolderObjectStore(Path root) {
    this.root = root.toAbsolutePath().normalize();
  }

  public Path root() {
    return root;
  }

  private Path file(String key) {
    return root.resolve(ObjectKeys.require(key));
  }

  @Override
  public void put(String key, Path file, String contentType) throws IOException {
    Path target = file(key);
    try (InputStream in = Files.newInputStream(file)) {
      AtomicFiles.copy(in, target);
    }
  }

  @Override
  public void put(String key, byte[] bytes, String contentType) throws IOException {
    AtomicFiles.write(file(key), bytes);
  }

  @Override
  public Optional<StoredObject> head(String key) throws IOException {
    Path file = file(key);
    BasicFileAttributes attributes;
    try {
      attributes = Files.readAttributes(file, BasicFileAttributes.class);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
    return attributes.isRegularFile()
        ? Optional.of(new StoredObject(key, attributes.size(), etag(attributes)))
        : Optional.empty();
  }

  private static String etag(BasicFileAttributes attributes) {
    long modified = attributes.lastModifiedTime().to(java.util.concurrent.TimeUnit.NANOSECONDS);
    long hash = 31L * (31L * attributes.size() + modified);
    hash = 31L * hash + String.valueOf(attributes.fileKey()).hashCode();
    return Long.toHexString(attributes.size()) + "-" + Long.toHexString(hash);
  }

  @Override
  public InputStream open(String key) throws IOException {
    Path file = file(key);
    if (Files.isDirectory(file)) {
      throw new NoSuchFileException(file.toString(), null, "a folder, not an object");
    }
    return Files.newInputStream(file);
  }

  @Override
  public byte[] read(String key, long offset, int length) throws IOException {
    checkRange(key, offset, length);
    try (FileChannel channel = FileChannel.open(file(key), StandardOpenOption.READ)) {
      return read(channel, offset, length);
    }
  }

  @Override
  public byte[] readVersion(StoredObject version, long offset, int length) throws IOException {
    checkRange(version.key(), offset, length);
    Path file = file(version.key());
    FileChannel channel;
    try {
      channel = FileChannel.open(file, StandardOpenOption.READ);
    } catch (NoSuchFileException e) {
      throw new ObjectChangedException(version);
    }
    try (channel) {
      // The channel holds the file it opened; a rename after this check does not change it.
      if (!head(version.key()).map(version::equals).orElse(false)) {
        throw new ObjectChangedException(version);
      }
      return read(channel, offset, length);
    }
  }

  private static void checkRange(String key, long offset, int length) {
    if (offset < 0 || length < 0) {
      throw new IllegalArgumentException(
          "range of '" + key + "' from " + offset + " length " + length + " is negative");
    }
  }

  private static byte[] read(FileChannel channel, long offset, int length) throws IOException {
    long available = Math.max(0, channel.size() - offset);
    ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(length, available));
    long position = offset;
    while (buffer.hasRemaining()) {
      int n = channel.read(buffer, position);
      if (n < 0) {
        break;
      }
      position += n;
    }
    return buffer.position() == buffer.capacity()
        ? buffer.array()
        : Arrays.copyOf(buffer.array(), buffer.position());
  }

  @Override
  public List<StoredObject> list(String prefix) throws IOException {
    ObjectKeys.requirePrefix(prefix);
    int slash = prefix.lastIndexOf('/');
    Path start = slash < 0 ? root : root.resolve(prefix.substring(0, slash));
    if (!Files.isDirectory(start)) {
      return List.of();
    }
    List<StoredObject> objects = new ArrayList<>();
    Files.walkFileTree(
        start,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
            String key = keyOf(file);
            if (attributes.isRegularFile() && key.startsWith(prefix) && ObjectKeys.isValid(key)) {
              objects.add(new StoredObject(key, attributes.size(), etag(attributes)));
            }
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
            // A temp file renamed or a folder removed while the walk passes is not an error.
            if (e instanceof NoSuchFileException) {
              return FileVisitResult.CONTINUE;
            }
            throw e;
          }
        });
    objects.sort(Comparator.comparing(StoredObject::key));
    return List.copyOf(objects);
  }

  private String keyOf(Path file) {
    return root.relativize(file).toString().replace(file.getFileSystem().getSeparator(), "/");
  }

  @Override
  public boolean hasMd5(StoredObject object, byte[] md5) throws IOException {
    MessageDigest digest = Md5.digest();
    try (InputStream in = Files.newInputStream(file(object.key()))) {
      byte[] buffer = new byte[1 << 16];
      for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
        digest.update(buffer, 0, n);
      }
    } catch (NoSuchFileException e) {
      return false;
    }
    return MessageDigest.isEqual(digest.digest(), md5);
  }

  @Override
  public void delete(String key) throws IOException {
    Path file = file(key);
    if (!Files.isDirectory(file) && Files.deleteIfExists(file)) {
      AtomicFiles.syncDirectory(Objects.requireNonNull(file.getParent()));
    }
  }

  @Override
  public void close() {}
}
