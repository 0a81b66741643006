package io.soilci.server.wwz;

import io.soilci.server.storage.ObjectStore;
import io.soilci.server.storage.StoredObject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/** A real store, its HEADs and ranged GETs counted (each call is one request to a bucket). */
final class CountingStore implements ObjectStore {
  final AtomicInteger heads = new AtomicInteger();
  final AtomicInteger rangedGets = new AtomicInteger();
  private final ObjectStore store;

  CountingStore(ObjectStore store) {
    this.store = store;
  }

  @Override
  public void put(String key, Path file, String contentType) throws IOException {
    store.put(key, file, contentType);
  }

  @Override
  public void put(String key, byte[] bytes, String contentType) throws IOException {
    store.put(key, bytes, contentType);
  }

  @Override
  public Optional<StoredObject> head(String key) throws IOException {
    heads.incrementAndGet();
    return store.head(key);
  }

  @Override
  public InputStream open(String key) throws IOException {
    return store.open(key);
  }

  @Override
  public byte[] read(String key, long offset, int length) throws IOException {
    rangedGets.incrementAndGet();
    return store.read(key, offset, length);
  }

  @Override
  public byte[] readVersion(StoredObject version, long offset, int length) throws IOException {
    rangedGets.incrementAndGet();
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
  public void close() throws IOException {
    store.close();
  }
}
