package io.soilci.server.site;

import static io.soilci.server.site.SiteTrees.read;
import static io.soilci.server.site.SiteTrees.ref;
import static org.assertj.core.api.Assertions.assertThat;

import io.soilci.server.hooks.HookSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A running job whose lease ran out is finished: retention then takes its run like any other. */
class SiteLeasesTest {
  @TempDir Path root;

  @Test
  void aJobEndedAsLostNoLongerKeepsItsRunFromRetention() throws Exception {
    try (Site site = open()) {
      site.startLeases();
      site.jobStarted(ref("7", "cpp"), Instant.now());
      long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
      while (System.nanoTime() < deadline
          && !read(root, "github-jobs/7/index.html").contains("lost: no word")) {
        Thread.sleep(100);
      }
      assertThat(read(root, "github-jobs/7/index.html"))
          .contains("lost: no word from its worker since")
          .contains("(lease 1 s, config jobLeaseSeconds) (no files)");

      site.jobStarted(ref("8", "cpp"), Instant.now());

      assertThat(root.resolve("github-jobs/7")).doesNotExist();
      assertThat(Files.isDirectory(root.resolve("github-jobs/8"))).isTrue();
    }
  }

  @Test
  void withoutTheLeaseTimerARunningJobKeepsItsRun() throws Exception {
    try (Site site = open()) {
      site.jobStarted(ref("7", "cpp"), Instant.now());
      Thread.sleep(2500);

      site.jobStarted(ref("8", "cpp"), Instant.now());

      assertThat(read(root, "github-jobs/7/index.html")).contains("running");
    }
  }

  private Site open() throws Exception {
    return Site.open(
        new SiteSettings(root, 1, Optional.empty(), HookSettings.NONE, Duration.ofSeconds(1)));
  }
}
