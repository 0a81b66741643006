package io.soilci.worker.workspace;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Makes an instance folder equal to the prepared folder again by touching only what differs: an
 * entry is kept when neither side changed since the last sync (both signatures as recorded then),
 * every other entry is deleted and copied again. A reset after a job that changed three files
 * copies three files, whatever the size of the workspace.
 */
final class TreeSync {
  private TreeSync() {}

  /** The two manifests recorded by the last sync: the prepared side and the instance side. */
  record Synced(TreeManifest source, TreeManifest target) {}

  /** Makes {@code target} equal to {@code source}; {@code last} is the previous sync's record. */
  static Synced sync(Path source, Path target, Synced last) {
    TreeManifest sourceNow = TreeManifest.of(source);
    TreeManifest targetNow = TreeManifest.of(target);
    List<String> folders = new ArrayList<>();
    removeChanged(target, sourceNow, targetNow, last, folders);
    copyMissing(source, target, sourceNow, folders);
    // Modes last, deepest first: a read-only folder must stay writable until it is filled.
    folders.sort(Collections.reverseOrder());
    for (String folder : folders) {
      copyMode(source.resolve(folder), target.resolve(folder));
    }
    return new Synced(sourceNow, TreeManifest.of(target));
  }

  /**
   * Deletes every entry of the target that changed on either side; a folder that is a folder on
   * both sides stays (what it holds is judged entry by entry) and only gets its mode again.
   */
  private static void removeChanged(
      Path target,
      TreeManifest sourceNow,
      TreeManifest targetNow,
      Synced last,
      List<String> folders) {
    String removed = null;
    for (String path : targetNow.entries().keySet()) {
      if (under(path, removed)) {
        continue;
      }
      boolean same = unchanged(path, sourceNow, targetNow, last);
      if (folder(sourceNow, path) && folder(targetNow, path)) {
        if (!same) {
          folders.add(path);
        }
      } else if (!same) {
        String parent = path.contains("/") ? path.substring(0, path.lastIndexOf('/')) : "";
        // Without root, a file in a read-only folder can only go once the folder is writable.
        target.resolve(parent).toFile().setWritable(true, true);
        folders.add(parent);
        Trees.delete(target.resolve(path));
        removed = path;
      }
    }
  }

  private static void copyMissing(
      Path source, Path target, TreeManifest sourceNow, List<String> folders) {
    for (String path : sourceNow.entries().keySet()) {
      if (!path.isEmpty() && !Files.exists(target.resolve(path), LinkOption.NOFOLLOW_LINKS)) {
        if (copyEntry(source.resolve(path), target.resolve(path))) {
          folders.add(path);
        }
      }
    }
  }

  private static boolean folder(TreeManifest manifest, String path) {
    String signature = manifest.entries().get(path);
    return signature != null && signature.startsWith("d ");
  }

  /** Whether {@code path} is as the last sync left it on both sides. */
  private static boolean unchanged(
      String path, TreeManifest sourceNow, TreeManifest targetNow, Synced last) {
    String source = sourceNow.entries().get(path);
    return source != null
        && source.equals(last.source().entries().get(path))
        && Objects.equals(targetNow.entries().get(path), last.target().entries().get(path));
  }

  private static boolean under(String path, @Nullable String folder) {
    return folder != null && (folder.isEmpty() || path.startsWith(folder + "/"));
  }

  /**
   * Copies one entry, keeping mode and times; a folder without its contents or mode yet. Returns
   * whether it was a folder.
   */
  private static boolean copyEntry(Path from, Path to) {
    try {
      if (Files.isDirectory(from, LinkOption.NOFOLLOW_LINKS)) {
        Files.createDirectory(to);
        return true;
      }
      Files.copy(from, to, StandardCopyOption.COPY_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
      return false;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot copy " + from + " to " + to, e);
    }
  }

  private static void copyMode(Path from, Path to) {
    try {
      Files.setPosixFilePermissions(
          to, Files.getPosixFilePermissions(from, LinkOption.NOFOLLOW_LINKS));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot set the mode of " + to, e);
    }
  }
}
