package io.soilci.server.site;

import static io.soilci.server.site.SiteTrees.meta;
import static io.soilci.server.site.SiteTrees.ref;
import static io.soilci.server.site.SiteTrees.row;
import static org.assertj.core.api.Assertions.assertThat;

import io.soilci.result.JobMeta;
import io.soilci.result.JobMetaCodec;
import io.soilci.result.JobRef;
import io.soilci.result.TaskName;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A site this server writes stays readable by Soil's own indexer ({@code soil/web.py}), which takes
 * every {@code RUN/*.json} of a host folder as a job's metadata.
 */
class SoilCompatibilityTest {
  private static final String COMMIT = "07ee33e4bb59fd268d5cc7200578668347eb96ec";
  private static final Instant T0 = Instant.parse("2026-11-20T10:00:00Z");

  @TempDir Path root;

  @Test
  void everyJsonDirectlyInARunFolderIsAJobsMetadata() throws Exception {
    try (Site site = Site.open(new SiteSettings(root, 200, Optional.empty()))) {
      for (int run = 1; run <= 3; run++) {
        for (String job : List.of("cpp", "dev-minimal")) {
          JobRef ref = ref(Integer.toString(run), job);
          SiteTrees.store(
              site,
              root,
              ref,
              meta(job, "" + run, COMMIT, "msg", SiteTrees.T0 + 1000 + run),
              List.of(row("unit", run % 2, 5)));
        }
      }
      JobRef running = ref("4", "cpp");
      site.jobStarted(running, T0);
      site.taskStarted(running, new TaskName("build"), T0);
      site.jobStarted(ref("3", "late"), T0);
      site.jobDone(ref("3", "late"), 1, true);
      site.regenerateAll();
    }

    List<String> seen = new ArrayList<>();
    for (Path runDir : folders(root.resolve("github-jobs"))) {
      try (DirectoryStream<Path> files = Files.newDirectoryStream(runDir, "*.json")) {
        for (Path json : files) {
          String name = json.getFileName().toString();
          String job = name.substring(0, name.length() - ".json".length());
          JobMeta meta = JobMetaCodec.read(json, name);
          assertThat(meta.jobName().value()).as(json.toString()).isEqualTo(job);
          assertThat(json.resolveSibling(job + ".tsv")).as("Soil reads it next").isRegularFile();
          seen.add(root.relativize(json).toString());
        }
      }
    }

    assertThat(seen)
        .containsExactlyInAnyOrder(
            "github-jobs/1/cpp.json",
            "github-jobs/1/dev-minimal.json",
            "github-jobs/2/cpp.json",
            "github-jobs/2/dev-minimal.json",
            "github-jobs/3/cpp.json",
            "github-jobs/3/dev-minimal.json");
    assertThat(root.resolve("github-jobs/4/json/index.json")).isRegularFile();
    assertThat(root.resolve("github-jobs/3/json/index.json")).isRegularFile();
  }

  private static List<Path> folders(Path dir) throws Exception {
    List<Path> out = new ArrayList<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, Files::isDirectory)) {
      entries.forEach(out::add);
    }
    return out;
  }
}
