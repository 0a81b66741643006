package io.soilci.server.site;

import io.soilci.result.FolderIsAFile;
import io.soilci.result.SiteLayout;
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
  private final SiteLayout layout;

  /** Deepest first, so that a folder is empty by the time it is removed. */
  private final TreeSet<Path> missing = new TreeSet<>(Comparator.reverseOrder());

  NewFolders(SiteLayout layout) {
    this.layout = layout;
  }

  /**
   * Notes each folder above {@code file} that does not exist yet; a plain file where one should be
   * is refused ({@link FolderIsAFile}), never taken for a folder this write made and deleted.
   */
  void noteFoldersOf(Path file) throws FolderIsAFile {
    for (Path dir = file.toAbsolutePath().getParent();
        dir != null && !Files.isDirectory(dir);
        dir = dir.getParent()) {
      layout.requireNotAFile(dir);
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
