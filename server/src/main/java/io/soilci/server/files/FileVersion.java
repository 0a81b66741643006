package io.soilci.server.files;

import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One version of a file: its size, modification time and inode ({@code fileKey}). The site's files
 * are replaced by rename, never written in place, so an inode's bytes never change: two reads that
 * see the same version read the same bytes, and a file renamed over another is a new version even
 * within the same millisecond and size.
 */
record FileVersion(long size, long modifiedMillis, @Nullable Object fileKey) {
  static FileVersion of(BasicFileAttributes attrs) {
    return new FileVersion(attrs.size(), attrs.lastModifiedTime().toMillis(), attrs.fileKey());
  }

  /** The ETag's value (without quotes) of exactly these bytes. */
  String tag() {
    return Long.toHexString(modifiedMillis)
        + "-"
        + Long.toHexString(size)
        + "-"
        + Integer.toHexString(Objects.hashCode(fileKey));
  }
}
