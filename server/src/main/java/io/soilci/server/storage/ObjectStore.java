package io.soilci.server.storage;

import io.soilci.files.AtomicFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Objects under site paths, shared by every replica: a local folder ({@link FolderObjectStore}) or
 * a bucket of S3-compatible object storage. Keys are site paths such as {@code
 * github-jobs/4101/cpp.wwz} (the rule: {@link ObjectKeys}); a store that has a configured prefix
 * puts it in front of every key itself, so callers never see it. A key that breaks the rule is an
 * {@link IllegalArgumentException} before anything is sent or touched.
 *
 * <p>Each object is replaced whole: a reader sees the old bytes or the new, never a part, and never
 * a mix of two versions within one call. Nothing spans objects: a job is made visible by putting
 * its JSON last. Implementations are safe for use by many threads at once.
 */
public interface ObjectStore extends AutoCloseable {

  /**
   * Stores the bytes of {@code file} under {@code key}, replacing any object there, once the call
   * returns (the folder: durable on disk; a bucket: acknowledged by the server).
   *
   * @param contentType the MIME type readers get, e.g. {@code application/zip}; a bucket also gets
   *     the {@code Cache-Control} its key calls for
   * @throws NoSuchFileException when {@code file} does not exist
   */
  void put(String key, Path file, String contentType) throws IOException;

  /** Stores {@code bytes} under {@code key} as {@link #put(String, Path, String)} does. */
  void put(String key, byte[] bytes, String contentType) throws IOException;

  /** The object at {@code key} (its size and version), or empty when there is none. */
  Optional<StoredObject> head(String key) throws IOException;

  /**
   * The whole object at {@code key}, streamed; the caller closes it. The stream reads one version
   * even when the object is replaced meanwhile.
   *
   * @throws NoSuchFileException when there is no object at {@code key}
   */
  InputStream open(String key) throws IOException;

  /**
   * Up to {@code length} bytes of the object at {@code key} from byte {@code offset} (one ranged
   * GET on a bucket): fewer only where the object ends, none when {@code offset} is at or past the
   * end.
   *
   * @throws NoSuchFileException when there is no object at {@code key}
   * @throws IllegalArgumentException when {@code offset} or {@code length} is negative
   */
  byte[] read(String key, long offset, int length) throws IOException;

  /**
   * As {@link #read}, but only from {@code version} of its object (one ranged GET with {@code
   * If-Match} on a bucket): how a reader that keeps parts of an object (a zip's directory) reads
   * more of the same version.
   *
   * @throws ObjectChangedException when the object is now another version or gone
   */
  byte[] readVersion(StoredObject version, long offset, int length) throws IOException;

  /**
   * Every object whose key starts with {@code prefix} ({@code ""} for all), in key order, however
   * many pages of results the store answers in. Temp files of a folder are never listed.
   *
   * @param prefix whole segments each ending with {@code /}, optionally followed by the start of
   *     one more segment ({@link ObjectKeys#requirePrefix})
   */
  List<StoredObject> list(String prefix) throws IOException;

  /**
   * Whether {@code object} (from {@link #list} or {@link #head}) holds bytes whose MD5 is {@code
   * md5}: how a replica finds the pages a bucket already has without reading them. A bucket tells
   * from the object's ETag (the MD5 of the bytes of a single-part PUT, which is the only kind this
   * project makes; any other ETag is never a match), a folder reads the file.
   */
  boolean hasMd5(StoredObject object, byte[] md5) throws IOException;

  /** Removes the object at {@code key}; removing a missing object is not an error. */
  void delete(String key) throws IOException;

  /**
   * Copies the object at {@code key} to {@code target} atomically (a temp file beside it, then a
   * rename), creating its folders: how a replica fetches a job's files into its site folder.
   *
   * @throws NoSuchFileException when there is no object at {@code key}
   */
  default void download(String key, Path target) throws IOException {
    try (InputStream in = open(key)) {
      AtomicFiles.copy(in, target);
    }
  }

  /** Releases the store's connections; a closed store is not used again. */
  @Override
  void close() throws IOException;
}
