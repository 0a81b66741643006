package io.soilci.worker.workspace;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TreeSyncTest {
  @TempDir Path tmp;
  private Path source;
  private Path target;
  private TreeSync.Synced synced;

  @BeforeEach
  void copySourceToTarget() throws IOException {
    source = tmp.resolve("prepared");
    Files.createDirectories(source.resolve("src/lib"));
    Files.writeString(source.resolve("src/main.c"), "int main;");
    Files.writeString(source.resolve("src/lib/big.a"), "library");
    Files.writeString(source.resolve("keep.txt"), "keep");
    Files.createSymbolicLink(source.resolve("link"), Path.of("keep.txt"));
    target = tmp.resolve("instance");
    Trees.copy(source, target, Map.of("PATH", "/usr/bin:/bin"));
    synced = new TreeSync.Synced(TreeManifest.of(source), TreeManifest.of(target));
  }

  private Object inode(Path file) throws IOException {
    return Files.getAttribute(file, "unix:ino");
  }

  @Test
  void undoesWhatAJobDidAndCopiesNothingElse() throws IOException {
    Object untouched = inode(target.resolve("src/lib/big.a"));
    Files.writeString(target.resolve("src/main.c"), "broken");
    Files.writeString(target.resolve("src/main.o"), "object");
    Files.delete(target.resolve("keep.txt"));
    Files.createDirectories(target.resolve("_tmp/out"));
    Files.setPosixFilePermissions(
        target.resolve("src/lib"), PosixFilePermissions.fromString("r-x------"));

    TreeSync.Synced again = TreeSync.sync(source, target, synced);

    assertThat(target.resolve("src/main.c")).hasContent("int main;");
    assertThat(target.resolve("src/main.o")).doesNotExist();
    assertThat(target.resolve("_tmp")).doesNotExist();
    assertThat(target.resolve("keep.txt")).hasContent("keep");
    assertThat(Files.readSymbolicLink(target.resolve("link"))).isEqualTo(Path.of("keep.txt"));
    assertThat(target.resolve("src/lib/big.a")).hasContent("library");
    assertThat(
            PosixFilePermissions.toString(Files.getPosixFilePermissions(target.resolve("src/lib"))))
        .isEqualTo(
            PosixFilePermissions.toString(
                Files.getPosixFilePermissions(source.resolve("src/lib"))));
    assertThat(again.target().digest()).isEqualTo(TreeManifest.of(target).digest());
    assertThat(inode(target.resolve("src/lib/big.a")))
        .as("a folder's changed mode does not make its unchanged files copied again")
        .isEqualTo(untouched);
  }

  @Test
  void keepsTheFilesNeitherSideChanged() throws IOException {
    Object untouched = inode(target.resolve("src/lib/big.a"));
    Files.writeString(target.resolve("src/main.c"), "broken");

    TreeSync.sync(source, target, synced);

    assertThat(inode(target.resolve("src/lib/big.a"))).isEqualTo(untouched);
  }

  @Test
  void bringsWhatChangedInThePreparedFolder() throws IOException {
    Files.writeString(source.resolve("src/main.c"), "int main2;");
    Files.writeString(source.resolve("NEWS"), "news");
    Files.delete(source.resolve("keep.txt"));

    TreeSync.sync(source, target, synced);

    assertThat(target.resolve("src/main.c")).hasContent("int main2;");
    assertThat(target.resolve("NEWS")).hasContent("news");
    assertThat(target.resolve("keep.txt")).doesNotExist();
  }

  @Test
  void replacesAFolderAJobPutWhereAFileWas() throws IOException {
    Files.delete(target.resolve("keep.txt"));
    Files.createDirectories(target.resolve("keep.txt/inner"));

    TreeSync.sync(source, target, synced);

    assertThat(target.resolve("keep.txt")).isRegularFile().hasContent("keep");
  }

  @Test
  void copiesAReadOnlyFolderWithItsContents() throws IOException {
    Files.createDirectories(source.resolve("cache/mod"));
    Files.writeString(source.resolve("cache/mod/go.mod"), "module x");
    Files.setPosixFilePermissions(
        source.resolve("cache/mod"), PosixFilePermissions.fromString("r-xr-xr-x"));

    TreeSync.sync(source, target, synced);

    assertThat(target.resolve("cache/mod/go.mod")).hasContent("module x");
    assertThat(
            PosixFilePermissions.toString(
                Files.getPosixFilePermissions(target.resolve("cache/mod"))))
        .isEqualTo("r-xr-xr-x");
  }
}
