package io.soilci.server.upload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TempSweepTest {
  @TempDir Path site;

  @Test
  void deletesOnlyTempFilesOlderThanTheAge() throws Exception {
    Path run = Files.createDirectories(site.resolve("github-jobs/4101"));
    Path old = Files.writeString(run.resolve(".tmp-123-cpp-small.wwz"), "x");
    Files.setLastModifiedTime(old, FileTime.from(Instant.now().minus(Duration.ofHours(2))));
    Path fresh = Files.writeString(run.resolve(".tmp-456-cpp-small.json"), "x");
    Path job = Files.writeString(run.resolve("cpp-small.json"), "{}");
    Files.setLastModifiedTime(job, FileTime.from(Instant.now().minus(Duration.ofHours(2))));

    int deleted = TempSweep.sweep(site, TempSweep.AGE, TempSweep.Pause.NONE);

    assertThat(deleted).isEqualTo(1);
    assertThat(old).doesNotExist();
    assertThat(fresh).exists();
    assertThat(job).exists();
  }

  /**
   * The server's sweep yields the core: it pauses after each step of entries, told how long they
   * took, and a stale temp past the pauses is still deleted.
   */
  @Test
  void pausesAfterEachStepAndStillSweepsToTheEnd() throws Exception {
    int entries = many();
    Path late = Files.writeString(site.resolve("zz/.tmp-9-late.json"), "x");
    Files.setLastModifiedTime(late, FileTime.from(Instant.now().minus(Duration.ofHours(2))));
    List<Long> pauses = new ArrayList<>();

    int deleted = TempSweep.sweep(site, TempSweep.AGE, pauses::add);

    assertThat(deleted).isEqualTo(1);
    assertThat(late).doesNotExist();
    assertThat(pauses).hasSize(entries / TempSweep.STEP);
    assertThat(pauses).allMatch(nanos -> nanos > 0);
  }

  /** A stop (the server closing) ends a sweep at its next pause. */
  @Test
  void anInterruptDuringAPauseEndsTheSweep() throws Exception {
    many();
    List<Long> pauses = new ArrayList<>();

    assertThatThrownBy(
            () ->
                TempSweep.sweep(
                    site,
                    TempSweep.AGE,
                    nanos -> {
                      pauses.add(nanos);
                      throw new InterruptedException();
                    }))
        .isInstanceOf(InterruptedException.class);
    assertThat(pauses).hasSize(1);
  }

  /**
   * Makes enough run folders and files for several steps; returns how many entries the walk sees.
   */
  private int many() throws IOException {
    int entries = 1; // the site folder itself
    for (int run = 0; run < 30; run++) {
      Path folder = Files.createDirectories(site.resolve("github-jobs/" + run));
      entries += run == 0 ? 2 : 1;
      for (int job = 0; job < 60; job++) {
        Files.writeString(folder.resolve("job-" + job + ".tsv"), "x");
        entries++;
      }
    }
    Files.createDirectories(site.resolve("zz"));
    return entries + 2;
  }
}
