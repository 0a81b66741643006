package io.soilci.server.storage;

import java.io.IOException;

/**
 * The object a read named by version ({@link ObjectStore#readVersion}) was replaced or removed
 * since: its bytes would not belong with what the reader has of the old version.
 */
public final class ObjectChangedException extends IOException {
  private static final long serialVersionUID = 1L;

  public ObjectChangedException(StoredObject version) {
    super(
        "object '"
            + version.key()
            + "' is no longer the version with etag "
            + version.etag()
            + " (replaced or removed); read it again");
  }
}
