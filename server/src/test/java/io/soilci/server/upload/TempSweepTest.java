package io.soilci.server.upload;

import static org.assertj.core.api.Assertions.assertThat;

import io.soilci.server.config.Limits;
import io.soilci.server.site.RunLocks;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TempSweepTest {
  @TempDir Path site;

  @Test
  void deletesOnlyTempFilesOlderThanTheAge() throws IOException {
    Path run = Files.createDirectories(site.resolve("github-jobs/4101"));
    Path old = Files.writeString(run.resolve(".tmp-123-cpp-small.wwz"), "x");
    Files.setLastModifiedTime(old, FileTime.from(Instant.now().minus(Duration.ofHours(2))));
    Path fresh = Files.writeString(run.resolve(".tmp-456-cpp-small.json"), "x");
    Path job = Files.writeString(run.resolve("cpp-small.json"), "{}");
    Files.setLastModifiedTime(job, FileTime.from(Instant.now().minus(Duration.ofHours(2))));

    int deleted =
        new ResultStore(site, site.resolveSibling("state"), Limits.DEFAULTS, new RunLocks())
            .sweepTemps(Duration.ofHours(1));

    assertThat(deleted).isEqualTo(1);
    assertThat(old).doesNotExist();
    assertThat(fresh).exists();
    assertThat(job).exists();
  }
}
