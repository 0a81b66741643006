package io.soilci.worker.workspace;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TreeFingerprintTest {
  @TempDir Path tree;

  @BeforeEach
  void fillTree() throws IOException {
    Files.createDirectories(tree.resolve("a/b"));
    Files.writeString(tree.resolve("a/b/file.txt"), "content");
    Files.writeString(tree.resolve("top.txt"), "top");
  }

  @Test
  void anUnchangedTreeKeepsItsFingerprint() throws IOException {
    String before = TreeFingerprint.of(tree);
    Files.readString(tree.resolve("a/b/file.txt"));

    assertThat(TreeFingerprint.of(tree)).isEqualTo(before);
  }

  @Test
  void rewritingAFileWithTheSameSizeAndOldTimeStillChangesIt() throws IOException {
    String before = TreeFingerprint.of(tree);
    FileTime modified = Files.getLastModifiedTime(tree.resolve("a/b/file.txt"));

    Files.writeString(tree.resolve("a/b/file.txt"), "CONTENT");
    Files.setLastModifiedTime(tree.resolve("a/b/file.txt"), modified);

    assertThat(TreeFingerprint.of(tree)).isNotEqualTo(before);
  }

  @Test
  void anAddedOrRemovedFileChangesIt() throws IOException {
    String before = TreeFingerprint.of(tree);
    Files.writeString(tree.resolve("a/new.o"), "");
    String added = TreeFingerprint.of(tree);
    Files.delete(tree.resolve("a/new.o"));
    Files.delete(tree.resolve("top.txt"));

    assertThat(added).isNotEqualTo(before);
    assertThat(TreeFingerprint.of(tree)).isNotEqualTo(before).isNotEqualTo(added);
  }

  @Test
  void aMissingFolderHasTheAbsentFingerprint() {
    assertThat(TreeFingerprint.of(tree.resolve("nothing"))).isEqualTo("absent");
  }
}
