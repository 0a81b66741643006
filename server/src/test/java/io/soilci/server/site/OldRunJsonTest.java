package io.soilci.server.site;

import static org.assertj.core.api.Assertions.assertThat;

import io.soilci.result.SiteLayout;
import io.soilci.result.WorkerHost;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OldRunJsonTest {
  @TempDir Path root;

  @Test
  void removesTheRunJsonAnOlderVersionWroteIntoARunFolder() throws Exception {
    SiteTrees.copyFixtures(root);
    Files.writeString(root.resolve("github-jobs/4101/index.json"), "{}", StandardCharsets.UTF_8);

    var removed = OldRunJson.remove(new SiteLayout(root), WorkerHost.GITHUB);

    assertThat(removed).containsExactly("github-jobs/4101/index.json");
    assertThat(root.resolve("github-jobs/4101/index.json")).doesNotExist();
    assertThat(root.resolve("github-jobs/4101/cpp-small.json")).isRegularFile();
    assertThat(OldRunJson.remove(new SiteLayout(root), WorkerHost.SOURCEHUT)).isEmpty();
  }

  @Test
  void keepsTheMetadataOfAJobNamedIndex() throws Exception {
    SiteTrees.copyFixtures(root);
    Path run = root.resolve("github-jobs/4102");
    Files.writeString(run.resolve("index.json"), "{}", StandardCharsets.UTF_8);
    Files.writeString(run.resolve("index.tsv"), "", StandardCharsets.UTF_8);

    var removed = OldRunJson.remove(new SiteLayout(root), WorkerHost.GITHUB);

    assertThat(removed).isEmpty();
    assertThat(run.resolve("index.json")).isRegularFile();
  }

  @Test
  void openingAnOlderSiteRemovesItsRunJsonAndWritesTheNewOne() throws Exception {
    SiteTrees.copyFixtures(root);
    // Written once, so the next open takes the refresh path, not the full rebuild.
    Site.open(new SiteSettings(root, 200, Optional.empty())).close();
    Files.writeString(root.resolve("github-jobs/4101/index.json"), "{}", StandardCharsets.UTF_8);

    try (Site site = Site.open(new SiteSettings(root, 200, Optional.empty()))) {

      assertThat(root.resolve("github-jobs/4101/index.json")).doesNotExist();
      assertThat(root.resolve("github-jobs/4101/json/index.json")).isRegularFile();
    }
  }
}
