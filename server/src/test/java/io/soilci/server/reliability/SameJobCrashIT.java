package io.soilci.server.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.soilci.server.auth.Scope;
import io.soilci.server.testing.Multipart;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Concurrent uploads of one job, each with its own upload id inside all three files, against the
 * real server jar killed with SIGKILL at random moments: after every restart the job's wwz, TSV and
 * JSON come from one upload, and no acknowledged upload was replaced by one that was over before it
 * began. Seed: {@code -Dsoil.crash.seed=N}; kills: {@code -Dsoil.samejob.kills=N} (default 40).
 */
class SameJobCrashIT {
  private static final String QUERY = "workerHost=github&runId=1&jobName=same";
  private static final Pattern JSON_ID = Pattern.compile("\"soil-upload-id\": \"u([0-9]+)\"");

  @TempDir Path dir;
  private final AtomicReference<ServerProcess> current = new AtomicReference<>();
  private final ReentrantReadWriteLock gate = new ReentrantReadWriteLock(true);
  private final AtomicLong ids = new AtomicLong();
  private final AtomicLong acks = new AtomicLong();
  private final Map<Long, Long> sentAt = new ConcurrentHashMap<>();
  private final Map<Long, Long> ackedAt = new ConcurrentHashMap<>();
  private final Map<String, Integer> outcomes = new ConcurrentHashMap<>();
  private final HttpClient client =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(2))
          .build();
  private volatile boolean stopped;

  @Test
  void aJobsThreeFilesAlwaysComeFromOneUploadAcrossSigkills() throws Exception {
    long seed = Long.getLong("soil.crash.seed", System.nanoTime());
    int kills = Integer.getInteger("soil.samejob.kills", 40);
    System.out.println("SameJobCrashIT seed " + seed + " (-Dsoil.crash.seed=" + seed + ")");
    CrashSite crashSite = CrashSite.empty(dir, Set.of(Scope.GITHUB_JOBS));
    Path site = crashSite.site();
    String token = crashSite.token();
    current.set(crashSite.serve());
    Random random = new Random(seed);
    List<Thread> uploaders = new ArrayList<>();
    for (int w = 0; w < 3; w++) {
      Thread thread = new Thread(() -> uploadLoop(token), "same-job-" + w);
      thread.setDaemon(true);
      thread.start();
      uploaders.add(thread);
    }
    int checked = 0;

    for (int k = 0; k < kills; k++) {
      awaitAcks(1 + random.nextInt(3), 10_000);
      Thread.sleep(random.nextInt(150));
      server().kill();
      long killedAt = System.nanoTime();
      gate.writeLock().lock();
      try {
        current.set(crashSite.serve());
        checked += checkOneUpload(site, killedAt) ? 1 : 0;
      } finally {
        gate.writeLock().unlock();
      }
    }
    stopped = true;
    for (Thread thread : uploaders) {
      thread.join(60_000);
    }

    long rolledForward;
    try (var lines = Files.lines(crashSite.log())) {
      rolledForward = lines.filter(l -> l.contains("an interrupted commit of")).count();
    }
    System.out.printf(
        "SameJobCrashIT: %d SIGKILLs, %d uploads sent, %d acknowledged, outcomes %s,"
            + " %d restarts found the job stored, each time from one upload;"
            + " %d commits cut off by a kill were completed at start%n",
        kills, sentAt.size(), ackedAt.size(), outcomes, checked, rolledForward);
    assertThat(checked).isGreaterThan(kills / 2);
    assertThat(ackedAt).hasSizeGreaterThan(kills);
    Long last = checkOneUpload(site, System.nanoTime()) ? onDisk(site) : null;
    assertThat(last).isNotNull();
    String tsv = get("/github-jobs/1/same.tsv");
    assertThat(tsv).isEqualTo(Files.readString(site.resolve("github-jobs/1/same.tsv")));
    assertThat(get("/github-jobs/1/index.html")).contains("u" + last);
    server().close();
  }

  private ServerProcess server() {
    return Objects.requireNonNull(current.get());
  }

  private void uploadLoop(String token) {
    for (int i = 0; !stopped && i < 100_000; i++) {
      long id = ids.incrementAndGet();
      Multipart form = files(id);
      gate.readLock().lock();
      try {
        sentAt.put(id, System.nanoTime());
        HttpResponse<String> r =
            client.send(
                HttpRequest.newBuilder(server().uri("/results?" + QUERY))
                    .header("Authorization", token)
                    .header("Content-Type", form.contentType())
                    .timeout(Duration.ofSeconds(20))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(form.bytes()))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        outcomes.merge(Integer.toString(r.statusCode()), 1, Integer::sum);
        if (r.statusCode() == 200) {
          ackedAt.put(id, System.nanoTime());
          acks.incrementAndGet();
        }
      } catch (IOException e) {
        outcomes.merge(e.getClass().getSimpleName(), 1, Integer::sum);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } finally {
        gate.readLock().unlock();
      }
    }
  }

  /** Upload {@code id}'s files: the id is in a wwz entry, the TSV's task name and a JSON key. */
  private static Multipart files(long id) {
    String tsv = "0\t1.5\ttask-u" + id + "\tbuild.sh\tbuild\t-\n";
    String json =
        "{\n  \"job-name\": \"same\",\n  \"commit-hash\": \""
            + "cd".repeat(20)
            + "\",\n  \"commit-line\": \"upload u"
            + id
            + "\",\n  \"task-run-start-time\": \"1763700000\",\n  \"soil-upload-id\": \"u"
            + id
            + "\"\n}\n";
    ByteArrayOutputStream wwz = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(wwz)) {
      entry(zip, "upload-id.txt", "u" + id);
      entry(zip, "_tmp/soil/INDEX.tsv", tsv);
      // Some bulk, so that receiving and syncing a file takes a moment a kill can fall into.
      Random random = new Random(id);
      StringBuilder log = new StringBuilder();
      while (log.length() < 200_000) {
        log.append(Long.toHexString(random.nextLong())).append('\n');
      }
      entry(zip, "_tmp/soil/logs/build.txt", log.toString());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return new Multipart()
        .file("wwz", "same.wwz", wwz.toByteArray())
        .file("tsv", "same.tsv", tsv.getBytes(StandardCharsets.UTF_8))
        .file("json", "same.json", json.getBytes(StandardCharsets.UTF_8));
  }

  private static void entry(ZipOutputStream zip, String name, String text) throws IOException {
    zip.putNextEntry(new ZipEntry(name));
    zip.write(text.getBytes(StandardCharsets.UTF_8));
    zip.closeEntry();
  }

  private void awaitAcks(int count, long millis) throws InterruptedException {
    long target = acks.get() + count;
    long end = System.nanoTime() + millis * 1_000_000;
    while (acks.get() < target && System.nanoTime() < end) {
      Thread.sleep(5);
    }
  }

  /**
   * Asserts that the stored job is whole and from one upload that was sent, and that no upload
   * acknowledged before {@code killedAt} was replaced by one acknowledged before it was even sent.
   * False when nothing is stored yet.
   */
  private boolean checkOneUpload(Path site, long killedAt) throws IOException {
    Path run = site.resolve("github-jobs/1");
    List<Boolean> present = new ArrayList<>();
    for (String ext : List.of(".wwz", ".tsv", ".json")) {
      present.add(Files.exists(run.resolve("same" + ext)));
    }
    assertThat(present).as("the job's files are all there or none").containsOnly(present.get(0));
    if (!present.get(0)) {
      return false;
    }
    long wwz = wwzId(Files.readAllBytes(run.resolve("same.wwz")));
    long tsv = tsvId(Files.readString(run.resolve("same.tsv")));
    long json = jsonId(Files.readString(run.resolve("same.json")));
    assertThat(List.of(wwz, tsv, json)).as("upload ids of wwz, tsv, json").containsOnly(wwz);
    assertThat(sentAt).as("the stored upload was sent").containsKey(wwz);
    Long storedAck = ackedAt.get(wwz);
    for (Map.Entry<Long, Long> acked : ackedAt.entrySet()) {
      long sent = Objects.requireNonNull(sentAt.get(acked.getKey()));
      if (acked.getValue() < killedAt && storedAck != null) {
        assertThat(storedAck)
            .as(
                "upload u%d (stored) acknowledged before u%d (acknowledged) was sent",
                wwz, acked.getKey())
            .isGreaterThan(sent);
      }
    }
    return true;
  }

  private long onDisk(Path site) throws IOException {
    return tsvId(Files.readString(site.resolve("github-jobs/1/same.tsv")));
  }

  private static long wwzId(byte[] wwz) throws IOException {
    try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(wwz))) {
      for (ZipEntry e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
        if (e.getName().equals("upload-id.txt")) {
          return Long.parseLong(
              new String(zip.readAllBytes(), StandardCharsets.UTF_8).substring(1));
        }
      }
    }
    throw new AssertionError("the stored wwz has no upload-id.txt");
  }

  private static long tsvId(String tsv) {
    return Long.parseLong(tsv.split("\t", -1)[2].substring("task-u".length()));
  }

  private static long jsonId(String json) {
    Matcher m = JSON_ID.matcher(json);
    assertThat(m.find()).as("upload id in %s", json).isTrue();
    return Long.parseLong(m.group(1));
  }

  private String get(String path) throws Exception {
    HttpResponse<String> r =
        client.send(
            HttpRequest.newBuilder(server().uri(path)).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as("GET %s", path).isEqualTo(200);
    return r.body();
  }
}
