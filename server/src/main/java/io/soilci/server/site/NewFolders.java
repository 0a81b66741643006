package io.soilci.server.site;

import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.TreeSet;

/**
 * The folders a write is about to create, noted before it starts, so that a refused write (a full
 * disk) can remove them again and leave the tree as it was.
 */
final class NewFolders {
  /** Deepest first, so that a folder is empty by the time it is removed. */
  private final TreeSet<Path> missing = new TreeSet<>(Comparator.reverseOrder());

  /** Notes each folder above {@code file} that does not exist yet. */
  void noteFoldersOf(Path file) {
    for (Path dir = file.toAbsolutePath().getParent();
        dir != null && !Files.isDirectory(dir);
        dir = dir.getParent()) {
      missing.add(dir);
    }
  }

  /** Removes every noted folder that is empty; one another writer filled meanwhile stays. */
  void removeEmpty() {
    for (Path dir : missing) {
      try {
        Files.deleteIfExists(dir);
      } catch (DirectoryNotEmptyException e) {
        // Another writer put a file there meanwhile; the folder is theirs now.
      } catch (IOException e) {
        // Left as it is: an empty folder is never served and regen ignores it.
      }
    }
  }
}
