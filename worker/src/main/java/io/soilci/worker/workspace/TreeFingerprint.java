package io.soilci.worker.workspace;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * A fingerprint of a folder tree: the digest of its {@link TreeManifest}, so any file written,
 * added, removed, renamed or chmod'ed changes it, found in one stat per entry.
 */
final class TreeFingerprint {
  private TreeFingerprint() {}

  /** The fingerprint of the tree under {@code root} (hex SHA-256), or "absent" without one. */
  static String of(Path root) {
    if (!Files.isDirectory(root, LinkOption.NOFOLLOW_LINKS)) {
      return "absent";
    }
    return TreeManifest.of(root).digest();
  }
}
