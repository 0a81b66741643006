package io.soilci.server.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real server jar under a steady load of uploads and events from several workers, killed with
 * SIGKILL at random moments and restarted: nothing acknowledged is lost, no page is torn or links
 * to a missing file, no temp file is served or left (once stale), and the pages equal a full {@code
 * regen}. Seed: {@code -Dsoil.crash.seed=N}; kills: {@code -Dsoil.crash.kills=N} (default 25).
 */
class CrashConsistencyIT {

  @TempDir Path dir;
  private final AtomicReference<ServerProcess> current = new AtomicReference<>();

  private ServerProcess server() {
    return java.util.Objects.requireNonNull(current.get());
  }

  @Test
  void losesNothingAcknowledgedAcrossRepeatedSigkills() throws Exception {
    long seed = Long.getLong("soil.crash.seed", System.nanoTime());
    int kills = Integer.getInteger("soil.crash.kills", 25);
    System.out.println("CrashConsistencyIT seed " + seed + " (-Dsoil.crash.seed=" + seed + ")");
    CrashSite crashSite = CrashSite.withFixtures(dir);
    Path site = crashSite.site();
    String token = crashSite.token();
    current.set(crashSite.serve());
    CrashLoad load = new CrashLoad(this::server, token, site, seed);
    Random random = new Random(seed);
    int leftByCrashes = 0;

    load.start(4);
    for (int k = 0; k < kills; k++) {
      // A random moment once the restarted server works again: after 1-4 uploads, then 0-300 ms.
      load.awaitAnswers(1 + random.nextInt(4), 10_000);
      Thread.sleep(random.nextInt(300));
      server().kill();
      load.gate.writeLock().lock();
      try {
        // The server deletes temp files older than an hour at start (a younger one may be an
        // SFTP copy in progress); as if the restart came later, the crash's temps are aged 2 h.
        for (Path temp : SiteChecks.tempFiles(site)) {
          Files.setLastModifiedTime(temp, FileTime.from(Instant.now().minus(Duration.ofHours(2))));
          leftByCrashes++;
        }
        current.set(crashSite.serve());
        // Swept on a thread of its own once the server listens: waited for, with a deadline.
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
          try {
            if (SiteChecks.tempFiles(site).isEmpty()) {
              break;
            }
          } catch (java.io.UncheckedIOException e) {
            // A temp file deleted while the tree was walked: look again.
          }
          Thread.sleep(50);
        }
        assertThat(SiteChecks.tempFiles(site)).as("temp files after restart %d", k).isEmpty();
      } finally {
        load.gate.writeLock().unlock();
      }
    }
    Thread.sleep(1000);
    load.stop();

    System.out.printf(
        "CrashConsistencyIT: %d SIGKILLs, %d requests (%d cut off by a kill), %d reads,"
            + " %d uploads acknowledged, %d temp files left by crashes and swept%n",
        kills,
        load.attempts.get(),
        load.failedAttempts.get(),
        load.reads.get(),
        load.acknowledged.size(),
        leftByCrashes);
    System.out.println("CrashConsistencyIT: upload outcomes " + load.uploadOutcomes);
    assertThat(load.violations).isEmpty();
    assertThat(load.acknowledged).hasSizeGreaterThan(kills);
    everyAcknowledgedUploadIsServedByteIdentical(load);
    everyLinkOfEveryPageResolves(site);
    server().close();
    assertThat(SiteChecks.tempFiles(site)).isEmpty();
    List<String> differ = crashSite.differencesFromRegen(dir.resolve("regen"));
    assertThat(differ).as("files that differ after regen").isEmpty();
    System.out.println("CrashConsistencyIT: regen of a copy gives byte-identical pages");
  }

  private void everyAcknowledgedUploadIsServedByteIdentical(CrashLoad load) throws Exception {
    HttpClient client = HttpClient.newHttpClient();
    for (JobFiles job : load.acknowledged.values()) {
      assertThat(get(client, job.path(".tsv"))).isEqualTo(job.tsv());
      assertThat(get(client, job.path(".json"))).isEqualTo(job.json());
      assertThat(get(client, job.path(".wwz/_tmp/soil/logs/task-2.txt")))
          .isEqualTo(job.entry("_tmp/soil/logs/task-2.txt"));
      assertThat(Files.readAllBytes(dir.resolve("site" + job.path(".wwz")))).isEqualTo(job.wwz());
    }
  }

  private byte[] get(HttpClient client, String path) throws Exception {
    HttpResponse<byte[]> r =
        client.send(
            HttpRequest.newBuilder(server().uri(path)).build(),
            HttpResponse.BodyHandlers.ofByteArray());
    assertThat(r.statusCode()).as("GET %s", path).isEqualTo(200);
    return r.body();
  }

  private void everyLinkOfEveryPageResolves(Path site) throws Exception {
    HttpClient client = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL).build();
    List<String> broken = new ArrayList<>();
    var links = SiteChecks.localLinks(site);
    for (String link : links) {
      HttpResponse<Void> r =
          client.send(
              HttpRequest.newBuilder(server().uri(link)).build(),
              HttpResponse.BodyHandlers.discarding());
      if (r.statusCode() != 200) {
        broken.add(link + " " + r.statusCode());
      }
    }
    System.out.printf(
        "CrashConsistencyIT: %d pages, %d distinct local links, all resolve%n",
        SiteChecks.htmlPages(site).size(), links.size());
    assertThat(broken).isEmpty();
  }
}
