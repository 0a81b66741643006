package io.soilci.server.storage;

/**
 * One stored object as a listing or {@link ObjectStore#head} sees it.
 *
 * @param key the key under the store's prefix, e.g. {@code github-jobs/4101/cpp.wwz}
 * @param length the object's size in bytes
 * @param etag an opaque version tag: equal for the same stored version, different after a {@code
 *     put} replaced it; compare it, never parse it
 */
public record StoredObject(String key, long length, String etag) {
  public StoredObject {
    ObjectKeys.require(key);
    if (length < 0) {
      throw new IllegalArgumentException("length " + length + " of '" + key + "' is negative");
    }
    if (etag.isEmpty()) {
      throw new IllegalArgumentException("etag of '" + key + "' is empty");
    }
  }
}
