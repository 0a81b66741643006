package io.soilci.server.testing;

import io.soilci.server.storage.ObjectHeaders;
import io.soilci.server.storage.ObjectStore;
import io.soilci.server.storage.StoredObject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

/**
 * A real object store whose puts of anything but a job's files fail while {@code refusing} says so,
 * as a bucket that refuses (or times out) a replica's page PUTs: how a test sees what a role
 * holder's page follower gets while the holder's puts do not go through.
 */
public final class PagesRefused implements ObjectStore {
  private final ObjectStore store;
  private final Predicate<String> refusing;

  public PagesRefused(ObjectStore store, BooleanSupplier refusing) {
    this(store, key -> refusing.getAsBoolean());
  }

  /** Refuses the put of each page whose key {@code refusing} names, while it names it. */
  public PagesRefused(ObjectStore store, Predicate<String> refusing) {
    this.store = store;
    this.refusing = refusing;
  }

  private void check(String key) throws IOException {
    if (refusing.test(key) && !ObjectHeaders.isJobFile(key)) {
      throw new IOException("the test's bucket refuses the put of page " + key);
    }
  }

  @Override
  public void put(String key, Path file, String contentType) throws IOException {
    check(key);
    store.put(key, file, contentType);
  }

  @Override
  public void put(String key, byte[] bytes, String contentType) throws IOException {
    check(key);
    store.put(key, bytes, contentType);
  }

  @Override
  public Optional<StoredObject> head(String key) throws IOException {
    return store.head(key);
  }

  @Override
  public InputStream open(String key) throws IOException {
    return store.open(key);
  }

  @Override
  public byte[] read(String key, long offset, int length) throws IOException {
    return store.read(key, offset, length);
  }

  @Override
  public byte[] readVersion(StoredObject version, long offset, int length) throws IOException {
    return store.readVersion(version, offset, length);
  }

  @Override
  public List<StoredObject> list(String prefix) throws IOException {
    return store.list(prefix);
  }

  @Override
  public boolean hasMd5(StoredObject object, byte[] md5) throws IOException {
    return store.hasMd5(object, md5);
  }

  @Override
  public void delete(String key) throws IOException {
    store.delete(key);
  }

  @Override
  public void download(String key, Path target) throws IOException {
    store.download(key, target);
  }

  @Override
  public void close() throws IOException {
    store.close();
  }
}
