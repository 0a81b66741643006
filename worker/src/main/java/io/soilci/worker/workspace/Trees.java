package io.soilci.worker.workspace;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Copies and deletes whole folder trees. A copy uses {@code cp -a --reflink=auto}: copy-on-write
 * clones where the filesystem has them (btrfs, xfs), a plain copy elsewhere. Never hard links: a
 * job writing into a file in place would change the cached prepared state through the link.
 */
final class Trees {
  private static final Duration COPY_TIMEOUT = Duration.ofMinutes(30);

  private Trees() {}

  /** Makes {@code target} (which must not exist) a copy of {@code source}, times and modes kept. */
  static void copy(Path source, Path target, Map<String, String> env) {
    new Exec(
            "cp",
            List.of(
                "cp",
                "-a",
                "--reflink=auto",
                "--",
                source.toAbsolutePath().toString(),
                target.toAbsolutePath().toString()),
            Path.of("/"),
            env,
            COPY_TIMEOUT)
        .run(line -> {});
  }

  /** Deletes {@code root} and everything under it; nothing happens when it does not exist. */
  static void delete(Path root) {
    if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try {
      Files.walkFileTree(root, new Deleter());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + root, e);
    }
  }

  /** Deletes what it visits, folders after their contents. */
  private static final class Deleter extends SimpleFileVisitor<Path> {
    @Override
    public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
      // Read-only folders (Go's module cache makes them) cannot be emptied otherwise.
      dir.toFile().setWritable(true, true);
      return FileVisitResult.CONTINUE;
    }

    @Override
    public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
      Files.delete(file);
      return FileVisitResult.CONTINUE;
    }

    @Override
    public FileVisitResult postVisitDirectory(Path dir, @Nullable IOException e)
        throws IOException {
      if (e != null) {
        throw e;
      }
      Files.delete(dir);
      return FileVisitResult.CONTINUE;
    }
  }
}
