package io.soilci.server.site;

import io.soilci.result.SiteLayout;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * What a run folder looked like, cheaply: the inode and change time (ctime, nanoseconds) of the
 * folder and of its {@code .running} folder (0 when there is none). Creating, deleting or renaming
 * any file in a folder sets its ctime, and nothing can set a ctime back, so a job's files stored,
 * replaced (by rename, as uploads, {@code ingest} and SFTP copies do) or deleted change the run
 * folder's stamp, and a running job's state file changes the {@code .running} folder's. Two {@code
 * stat}s at most a run (one for a run without a {@code .running} folder); no job file is opened. A
 * file rewritten in place is not seen.
 */
record FolderStamp(long inode, long ctime, long runningInode, long runningCtime) {
  /** The stamp of {@code runDir} now. */
  static FolderStamp of(Path runDir) throws IOException {
    long[] run = stat(runDir);
    long[] running;
    try {
      running = stat(runDir.resolve(SiteLayout.RUNNING_DIR));
    } catch (NoSuchFileException e) {
      running = new long[] {0, 0};
    }
    return new FolderStamp(run[0], run[1], running[0], running[1]);
  }

  /** What a start finds in a run's place. */
  enum Seen {
    NOT_A_FOLDER,
    SAME,
    CHANGED
  }

  /**
   * What a start found in a run's place, before it knows what the snapshot saved: whether it is a
   * folder, and its inode and ctime (one stat, made beside the snapshot's decoding).
   */
  record Found(Path dir, boolean folder, long inode, long ctime) {
    /** One stat of {@code dir}, not following a link. */
    static Found of(Path dir) throws IOException {
      Map<String, Object> a =
          Files.readAttributes(dir, "unix:mode,ino,ctime", LinkOption.NOFOLLOW_LINKS);
      boolean folder = ((Integer) Objects.requireNonNull(a.get("mode")) & S_IFMT) == S_IFDIR;
      return new Found(dir, folder, FolderStamp.inode(a), FolderStamp.ctime(a));
    }

    /**
     * As {@link FolderStamp#check} answers for this folder against {@code saved} (null: none
     * saved); the {@code .running} folder is looked at only when there was one.
     */
    Seen against(@Nullable FolderStamp saved) throws IOException {
      if (!folder) {
        return Seen.NOT_A_FOLDER;
      }
      if (saved == null || saved.inode != inode || saved.ctime != ctime) {
        return Seen.CHANGED;
      }
      if (saved.runningInode == 0) {
        return Seen.SAME;
      }
      try {
        long[] running = stat(dir.resolve(SiteLayout.RUNNING_DIR));
        return running[0] == saved.runningInode && running[1] == saved.runningCtime
            ? Seen.SAME
            : Seen.CHANGED;
      } catch (NoSuchFileException e) {
        return Seen.CHANGED;
      }
    }
  }

  private static final int S_IFMT = 0170000;
  private static final int S_IFDIR = 0040000;

  private static long[] stat(Path dir) throws IOException {
    Map<String, Object> a = Files.readAttributes(dir, "unix:ino,ctime", LinkOption.NOFOLLOW_LINKS);
    return new long[] {inode(a), ctime(a)};
  }

  private static long inode(Map<String, Object> a) {
    return (Long) Objects.requireNonNull(a.get("ino"));
  }

  private static long ctime(Map<String, Object> a) {
    return ((FileTime) Objects.requireNonNull(a.get("ctime"))).to(TimeUnit.NANOSECONDS);
  }

  void writeTo(DataOutput out) throws IOException {
    out.writeLong(inode);
    out.writeLong(ctime);
    out.writeLong(runningInode);
    out.writeLong(runningCtime);
  }

  static FolderStamp readFrom(DataInput in) throws IOException {
    return new FolderStamp(in.readLong(), in.readLong(), in.readLong(), in.readLong());
  }
}
