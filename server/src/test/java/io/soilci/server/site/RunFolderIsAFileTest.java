package io.soilci.server.site;

import static org.assertj.core.api.Assertions.assertThat;

import io.soilci.result.RunId;
import io.soilci.result.WorkerHost;
import io.soilci.server.state.StateLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A plain file where a run folder was ({@code github-jobs/4101} a regular file): the site opens all
 * the same, the run gone from it, the file left alone, and every other run's pages kept.
 */
class RunFolderIsAFileTest {
  @TempDir Path root;
  @TempDir Path state;

  private SiteSettings settings() {
    return new SiteSettings(root, 200, Optional.empty()).withState(new StateLayout(state));
  }

  @Test
  void aFileWhereARunFolderWasIsWarnedOfAndTheSiteOpens() throws Exception {
    SiteTrees.copyFixtures(root);
    try (Site site = Site.open(settings())) {
      assertThat(site.index().run(WorkerHost.GITHUB, new RunId("4101"))).isNotNull();
    }
    Path run = root.resolve("github-jobs/4101");
    try (Stream<Path> walk = Files.walk(run)) {
      for (Path path : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(path);
      }
    }
    Files.writeString(run, "not a run\n");
    String other = Files.readString(root.resolve("github-jobs/4102/index.html"));

    try (Site site = Site.open(settings())) {
      assertThat(site.index().run(WorkerHost.GITHUB, new RunId("4101"))).isNull();
    }
    assertThat(Files.readString(run)).isEqualTo("not a run\n");
    assertThat(Files.readString(root.resolve("github-jobs/4102/index.html"))).isEqualTo(other);
    assertThat(Files.readString(root.resolve("github-jobs/index.html"))).doesNotContain("4101/");
  }
}
