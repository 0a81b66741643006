package io.soilci.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.soilci.result.JobName;
import io.soilci.result.JobRef;
import io.soilci.result.RunId;
import io.soilci.result.WorkerHost;
import io.soilci.server.config.Limits;
import io.soilci.server.site.Site;
import io.soilci.server.site.SiteSettings;
import io.soilci.server.state.StateLayout;
import io.soilci.server.upload.ResultStore;
import io.soilci.server.upload.StoredJob;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SiteChangesTest {
  @TempDir Path dir;

  /** The single box, counting the live logs' words it is asked to publish. */
  private static final class Counting implements Replication {
    final AtomicInteger published = new AtomicInteger();

    @Override
    public void awaitCaughtUp() {}

    @Override
    public void apply(Change change, ChangeApplier here) throws IOException {
      here.apply(change);
    }

    @Override
    public void publish(Change change) {
      published.incrementAndGet();
    }

    @Override
    public Optional<StoredJob> store(StagedUpload upload, Instant at, StagedUpload.Committed here)
        throws IOException {
      return upload.commit(here);
    }

    @Override
    public String origin() {
      return "local";
    }

    @Override
    public void close() {}
  }

  private static JobRef job(int i) {
    return new JobRef(WorkerHost.GITHUB, new RunId("r" + i), new JobName("j"));
  }

  /**
   * A worker may name any job in its live log chunks (one that never started, too): what the server
   * remembers of the chunks it published stays bounded however many jobs are named.
   */
  @Test
  void liveLogChunksOfEverMoreJobsKeepABoundedMemory() throws Exception {
    Path root = Files.createDirectories(dir.resolve("site"));
    Counting replication = new Counting();
    try (Site site = Site.open(new SiteSettings(root, 50, Optional.empty()))) {
      SiteChanges changes =
          new SiteChanges(
              site,
              new ResultStore(
                  root, new StateLayout(dir.resolve("state")), Limits.DEFAULTS, site.locks()),
              replication,
              Clock.systemUTC(),
              60_000);
      for (int i = 0; i < 20_000; i++) {
        changes.heard(job(i));
      }
      changes.heard(job(19_999));

      assertThat(changes.heardRemembered()).isLessThanOrEqualTo(SiteChanges.MAX_HEARD);
      // The newest job's word is still remembered: heard again at once, not published again.
      assertThat(replication.published.get()).isEqualTo(20_000);
    }
  }
}
