package io.soilci.server.site;

import static io.soilci.server.site.SiteTrees.T0;
import static io.soilci.server.site.SiteTrees.meta;
import static io.soilci.server.site.SiteTrees.ref;
import static io.soilci.server.site.SiteTrees.row;
import static org.assertj.core.api.Assertions.assertThat;

import io.soilci.server.hooks.HookEvent;
import io.soilci.server.hooks.HookSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SiteHooksTest {
  @TempDir Path root;
  @TempDir Path out;

  @Test
  void firesJobFailedThenRunFinishedWhenTheLastRunningJobEnds() throws Exception {
    // Written under a temp name, then renamed: the test sees a file only once it is complete.
    String file = "\"" + out + "/$SOIL_EVENT-$SOIL_JOB.txt\"";
    String record = "env | grep '^SOIL_' | sort > " + file + ".tmp && mv " + file + ".tmp " + file;
    HookSettings hooks =
        HookSettings.NONE
            .with(HookEvent.JOB_FAILED, record)
            .with(HookEvent.JOB_PASSED, record)
            .with(HookEvent.RUN_FINISHED, record);
    try (Site site = Site.open(new SiteSettings(root, 200, Optional.empty(), hooks))) {
      site.jobStarted(ref("5", "cpp"), Instant.ofEpochSecond(1000));
      site.jobStarted(ref("5", "dev"), Instant.ofEpochSecond(1000));
      SiteTrees.store(
          site,
          root,
          ref("5", "dev"),
          meta("dev", "5", "abc1234", "s", T0 + 1000),
          List.of(row("t", 0, 1)));

      SiteTrees.store(
          site,
          root,
          ref("5", "cpp"),
          meta("cpp", "5", "abc1234", "s", T0 + 1000),
          List.of(row("t", 2, 1)));

      HooksTestSupport.awaitFile(out.resolve("run-finished-.txt"));
      HooksTestSupport.awaitFile(out.resolve("job-failed-cpp.txt"));
      HooksTestSupport.awaitFile(out.resolve("job-passed-dev.txt"));
      assertThat(Files.readString(out.resolve("job-failed-cpp.txt")))
          .contains(
              "SOIL_HOST=github\n",
              "SOIL_RUN=5\n",
              "SOIL_JOB=cpp\n",
              "SOIL_STATUS=2\n",
              "SOIL_STATUS_TEXT=task t\n");
      assertThat(Files.readString(out.resolve("run-finished-.txt")))
          .contains("SOIL_RUN=5\n", "SOIL_STATUS=2\n", "SOIL_JOBS=2\n");
      assertThat(out.resolve("job-passed-dev.txt")).isRegularFile();
    }
  }

  @Test
  void aFailingHookDoesNotFailTheUpload() throws Exception {
    HookSettings hooks = HookSettings.NONE.with(HookEvent.JOB_PASSED, "exit 1");
    try (Site site = Site.open(new SiteSettings(root, 200, Optional.empty(), hooks))) {

      SiteTrees.store(
          site,
          root,
          ref("5", "dev"),
          meta("dev", "5", "abc1234", "s", T0 + 1000),
          List.of(row("t", 0, 1)));

      assertThat(SiteTrees.read(root, "github-jobs/5/index.html")).contains("dev");
    }
  }
}
