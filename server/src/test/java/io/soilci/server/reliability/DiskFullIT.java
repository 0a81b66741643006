package io.soilci.server.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.soilci.server.testing.SiteTrees;
import io.soilci.server.testing.TestServer;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The site on an 8 MiB tmpfs, filled by uploads until the disk is full: the server answers 507 with
 * {@code Retry-After}, keeps every job it acknowledged byte-identical, leaves no temp file, stays
 * up. Needs root (mount); skipped with the reason when mount is refused.
 */
class DiskFullIT {
  private static final String FULL =
      "the server's disk is full (No space left on device); this request was not acknowledged:"
          + " retry later\n";

  @TempDir Path dir;

  @Test
  void answers507WhenTheDiskIsFullAndLosesNothingAlreadyStored() throws Exception {
    Path site = Files.createDirectories(dir.resolve("site"));
    mountTmpfs(site);
    try (TestServer server = TestServer.withFixtures(dir)) {
      List<JobFiles> stored = new ArrayList<>();
      HttpResponse<String> refused = null;
      boolean unchanged = false;

      for (int i = 0; i < 40 && refused == null; i++) {
        JobFiles job = JobFiles.make("700", "big-" + i, 3, 1_200_000, i);
        String before = SiteTrees.checksum(site);
        HttpResponse<String> r = server.post("/results?" + job.query(), server.github, job.form());
        if (r.statusCode() == 200) {
          stored.add(job);
        } else {
          refused = r;
          unchanged = before.equals(SiteTrees.checksum(site));
          System.out.printf(
              "DiskFullIT: %d jobs stored, then %d (%s); site unchanged: %s%n",
              stored.size(),
              r.statusCode(),
              r.body().trim(),
              before.equals(SiteTrees.checksum(site)));
        }
      }

      if (refused == null) {
        throw new AssertionError("no refusal in 40 uploads of ~1 MB on 8 MiB");
      }
      assertThat(refused.statusCode()).isEqualTo(507);
      assertThat(refused.body()).isEqualTo(FULL);
      assertThat(refused.headers().firstValue("Retry-After")).contains("60");
      assertThat(stored).isNotEmpty();
      assertThat(unchanged).as("site byte-identical after the refused upload").isTrue();
      assertThat(server.get("/healthz").body()).isEqualTo("ok\n");
      assertThat(SiteChecks.tempFiles(site)).isEmpty();
      for (JobFiles job : stored) {
        assertThat(Files.readAllBytes(site.resolve("github-jobs/700/" + job.job() + ".wwz")))
            .isEqualTo(job.wwz());
        assertThat(server.get(job.path(".json")).body())
            .isEqualTo(new String(job.json(), StandardCharsets.UTF_8));
        assertThat(server.get(job.path(".wwz/_tmp/soil/logs/task-1.txt")).statusCode())
            .isEqualTo(200);
      }
    } finally {
      command("umount", site.toString());
    }
  }

  /**
   * Issue 17: a 507 answer to an event still wrote {@code .running/} and the run page, and 5 pages
   * then differed from {@code regen}. A refused event must change nothing, in the files or in the
   * index that later pages are rendered from.
   */
  @Test
  void aRefusedEventChangesNoFileAndNoLaterPage() throws Exception {
    Path site = Files.createDirectories(dir.resolve("site"));
    mountTmpfs(site);
    try (TestServer server = TestServer.withFixtures(dir)) {
      Path filler = site.resolve(".filler");
      fill(filler);
      String before = SiteTrees.checksum(site);

      HttpResponse<String> refused =
          server.post(
              "/event?eventName=start&workerHost=github&runId=701&jobName=late", server.github);
      String after = SiteTrees.checksum(site);
      Files.delete(filler);
      HttpResponse<String> next =
          server.post(
              "/event?eventName=start&workerHost=github&runId=702&jobName=next", server.github);

      assertThat(refused.body()).isEqualTo(FULL);
      assertThat(refused.statusCode()).isEqualTo(507);
      assertThat(after).as("site byte-identical after the refused event").isEqualTo(before);
      assertThat(SiteChecks.tempFiles(site)).isEmpty();
      assertThat(next.statusCode()).isEqualTo(200);
      String index = server.get("/github-jobs/index.html").body();
      assertThat(index).contains("702/").doesNotContain("701/");
      assertThat(site.resolve("github-jobs/701")).doesNotExist();
    } finally {
      command("umount", site.toString());
    }
  }

  /** Writes {@code file} until the file system has no byte left. */
  private static void fill(Path file) {
    byte[] chunk = new byte[64 * 1024];
    try (java.io.OutputStream out = Files.newOutputStream(file)) {
      for (int i = 0; i < 10_000; i++) {
        out.write(chunk);
      }
      throw new AssertionError("wrote 640 MB on an 8 MiB tmpfs");
    } catch (IOException e) {
      assertThat(e.getMessage()).contains("No space left on device");
    }
  }

  private static void mountTmpfs(Path dir) throws IOException, InterruptedException {
    int exit = command("mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", dir.toString());
    Assumptions.assumeTrue(
        exit == 0, "mount -t tmpfs -o size=8m was refused (exit " + exit + "): needs root");
  }

  private static int command(String... args) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(args).redirectErrorStream(true).start();
    p.getInputStream().transferTo(System.out);
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      return -1;
    }
    return p.exitValue();
  }
}
