package io.soilci.files;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {
  @TempDir Path dir;

  @Test
  void aTempFileIsNewEmptyAndNamedForItsTargetInTheTargetsFolder() throws Exception {
    Path target = dir.resolve("a/b/page.html");
    Set<Path> temps = new HashSet<>();
    for (int i = 0; i < 100; i++) {
      temps.add(AtomicFiles.createTemp(target));
    }

    assertThat(temps).hasSize(100);
    for (Path temp : temps) {
      assertThat(temp.getParent()).isEqualTo(target.getParent());
      assertThat(temp.getFileName().toString()).startsWith(".tmp-").endsWith("-page.html");
      assertThat(AtomicFiles.isTemp(temp)).isTrue();
      assertThat(Files.size(temp)).isZero();
      assertThat(Files.getPosixFilePermissions(temp))
          .doesNotContain(
              PosixFilePermission.OWNER_EXECUTE,
              PosixFilePermission.GROUP_WRITE,
              PosixFilePermission.OTHERS_WRITE)
          .contains(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
    }
  }

  @Test
  void writeReplacesTheTargetAndLeavesNoTempFile() throws Exception {
    Path target = dir.resolve("new/folder/file.txt");
    AtomicFiles.write(target, "one".getBytes(StandardCharsets.UTF_8));
    AtomicFiles.write(target, "two".getBytes(StandardCharsets.UTF_8));

    assertThat(Files.readString(target)).isEqualTo("two");
    try (var files = Files.list(target.getParent())) {
      assertThat(files).containsExactly(target);
    }
  }
}
