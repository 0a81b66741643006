package io.soilci.server.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.soilci.server.auth.Scope;
import io.soilci.server.auth.Worker;
import io.soilci.server.auth.WorkerStore;
import io.soilci.server.state.StateLayout;
import io.soilci.server.testing.SiteTrees;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 64 workers upload realistic jobs (~300 KB wwz of logs) while 4 readers fetch pages and logs, the
 * real jar capped at {@code -Xmx256m}: zero errors, heap after GC and RSS flat, p50/p99 reported.
 * Then past a small in-flight cap: 503 with {@code Retry-After}, never more uploads at once than
 * the cap. {@code -Dsoil.load.seconds=N} (default 10; the {@code load} profile and bench/load.sh
 * run 60), {@code -Dsoil.load.workers=N} (default 64). Figures go to {@code
 * target/reliability/load.txt}.
 */
class LoadIT {
  private static final int SECONDS = Integer.getInteger("soil.load.seconds", 10);
  private static final int WORKERS = Integer.getInteger("soil.load.workers", 64);
  private static final Pattern GC = Pattern.compile("(\\d+)M->(\\d+)M\\((\\d+)M\\)");

  @TempDir Path dir;

  private static List<JobFiles> templates() {
    List<JobFiles> jobs = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      jobs.add(JobFiles.make("0", "template-" + i, 4, 250_000, i));
    }
    return jobs;
  }

  private ServerProcess start(int maxUploadsInFlight) throws Exception {
    Path site = Files.createDirectories(dir.resolve("site"));
    SiteTrees.copyFixtures(site);
    Path config = dir.resolve("config.json");
    Files.writeString(
        config,
        // The simulated workers share one token, so one worker may hold every permit here.
        "{\"site\": \"site\", \"state\": \"state\", \"limits\": {\"maxUploadsInFlight\": "
            + maxUploadsInFlight
            + "}, \"guards\": {\"maxUploadsPerWorker\": "
            + maxUploadsInFlight
            + "}}");
    return ServerProcess.serve(
        dir.resolve("server.log"),
        List.of("-Xmx256m", "-Xlog:gc:file=" + dir.resolve("gc.log")),
        List.of("--config", config.toString()));
  }

  private String token() throws IOException {
    return "Bearer load:"
        + new WorkerStore(new StateLayout(dir.resolve("state")), 1000)
            .add(new Worker("load", Set.of(Scope.GITHUB_JOBS)), false);
  }

  @Test
  void sixtyFourWorkersUploadWithZeroErrorsAndFlatMemory() throws Exception {
    String token = token();
    List<JobFiles> templates = templates();
    try (ServerProcess server = start(WORKERS + 8)) {
      List<Long> rss = new CopyOnWriteArrayList<>();
      AtomicBoolean running = new AtomicBoolean(true);
      Thread sampler = new Thread(() -> sampleRss(server, rss, running), "rss-sampler");
      sampler.start();
      // Live heap mid-run: a full GC under load, so only what is retained is counted.
      Thread midRun = new Thread(() -> fullGcAfter(server, SECONDS * 500L), "mid-run-gc");
      midRun.start();
      LoadRun load = new LoadRun(server, token, templates, 40);

      load.run(WORKERS, 4, Duration.ofSeconds(SECONDS));
      midRun.join();
      fullGcAfter(server, 0);

      running.set(false);
      sampler.join();
      List<Integer> heapAfterGc = heapAfterGc(dir.resolve("gc.log"));
      report(
          String.format(
              "load: %d workers, 4 readers, %d s, -Xmx256m; wwz %d KB each%n  %s%n  %s%n"
                  + "  acknowledged %d jobs (%.1f uploads/s)%n  RSS MiB samples %s%n"
                  + "  heap MiB after GC, peak of each quarter of the run %s",
              WORKERS,
              SECONDS,
              templates.get(0).wwz().length / 1024,
              load.uploads,
              load.reads,
              load.acknowledged.size(),
              load.acknowledged.size() / (double) SECONDS,
              rss,
              quarterPeaks(heapAfterGc)));
      assertThat(load.uploads.unexpected("200")).as("upload errors").isEmpty();
      assertThat(load.reads.unexpected("200")).as("read errors").isEmpty();
      assertThat(load.acknowledged).isNotEmpty();
      assertFlat(liveHeapAfterFullGc(dir.resolve("gc.log")), rss);
      assertThat(get(server, "/healthz")).isEqualTo("ok\n");
    }
  }

  @Test
  void backPressureAnswers503WithRetryAfterInsteadOfQueueing() throws Exception {
    String token = token();
    try (ServerProcess server = start(4)) {
      AtomicInteger maxInFlight = new AtomicInteger();
      AtomicBoolean running = new AtomicBoolean(true);
      Thread watcher = new Thread(() -> watchInFlight(server, maxInFlight, running), "in-flight");
      watcher.start();
      LoadRun load = new LoadRun(server, token, templates(), 10);

      load.run(WORKERS, 0, Duration.ofSeconds(Math.min(SECONDS, 10)));

      running.set(false);
      watcher.join();
      report(
          String.format(
              "back-pressure: maxUploadsInFlight 4, %d workers, %d s%n  %s%n"
                  + "  503 answers with Retry-After: %d; most uploads in flight seen: %d",
              WORKERS,
              Math.min(SECONDS, 10),
              load.uploads,
              load.retryAfterHeaders.get(),
              maxInFlight.get()));
      assertThat(load.uploads.unexpected("200", "503")).isEmpty();
      assertThat(load.uploads.count("503")).isPositive();
      assertThat(load.retryAfterHeaders.get()).isEqualTo(load.uploads.count("503"));
      assertThat(load.uploads.count("200")).isPositive();
      assertThat(maxInFlight.get()).isBetween(1, 4);
    }
  }

  private static void sampleRss(ServerProcess server, List<Long> rss, AtomicBoolean running) {
    for (int i = 0; running.get() && i < 100_000; i++) {
      try {
        rss.add(server.rssKiB() / 1024);
        Thread.sleep(SECONDS > 20 ? 5000 : 1000);
      } catch (IOException | InterruptedException e) {
        return;
      }
    }
  }

  private static void watchInFlight(
      ServerProcess server, AtomicInteger max, AtomicBoolean running) {
    Pattern gauge = Pattern.compile("(?m)^soil_uploads_in_flight (\\d+)$");
    for (int i = 0; running.get() && i < 100_000; i++) {
      try {
        Matcher m = gauge.matcher(get(server, "/metrics"));
        if (m.find()) {
          max.accumulateAndGet(Integer.parseInt(m.group(1)), Math::max);
        }
        Thread.sleep(20);
      } catch (IOException | InterruptedException e) {
        return;
      }
    }
  }

  private static String get(ServerProcess server, String path)
      throws IOException, InterruptedException {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(server.uri(path)).build(), HttpResponse.BodyHandlers.ofString())
        .body();
  }

  static List<Integer> heapAfterGc(Path gcLog) throws IOException {
    List<Integer> after = new ArrayList<>();
    for (String line : Files.readAllLines(gcLog)) {
      Matcher m = GC.matcher(line);
      if (line.contains("Pause") && m.find()) {
        after.add(Integer.parseInt(m.group(2)));
      }
    }
    return after;
  }

  private static List<Integer> quarterPeaks(List<Integer> values) {
    List<Integer> peaks = new ArrayList<>();
    for (int q = 0; q < 4 && values.size() >= 4; q++) {
      List<Integer> quarter = values.subList(q * values.size() / 4, (q + 1) * values.size() / 4);
      peaks.add(quarter.stream().max(Integer::compare).orElse(0));
    }
    return peaks;
  }

  /**
   * No leak: the heap still live after a full GC at the end stays near the one mid-run, and RSS
   * stays bounded. (Heap "after" a young GC is not used: it still counts old-generation garbage G1
   * has not marked yet, so it jumps with GC timing, not with what the server keeps.)
   */
  private static void assertFlat(List<Integer> liveAfterFullGc, List<Long> rss) {
    assertThat(liveAfterFullGc).as("full GCs mid-run and at the end").hasSizeGreaterThan(1);
    System.out.println("  live heap MiB after full GC, mid-run and at the end " + liveAfterFullGc);
    assertThat(liveAfterFullGc.get(liveAfterFullGc.size() - 1))
        .as("live heap after full GC, end vs mid-run")
        .isLessThanOrEqualTo(liveAfterFullGc.get(0) * 3 / 2 + 32);
    assertThat(rss).as("RSS MiB").allMatch(mib -> mib < 1024);
  }

  /**
   * After {@code delayMillis}, a full GC of the server ({@code jcmd PID GC.run}), tried again (up
   * to 3 times) until the server's GC log shows it: under load the attach can time out.
   */
  private void fullGcAfter(ServerProcess server, long delayMillis) {
    Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    Path gcLog = dir.resolve("gc.log");
    try {
      Thread.sleep(delayMillis);
      int before = liveHeapAfterFullGc(gcLog).size();
      for (int attempt = 1; attempt <= 3; attempt++) {
        Process gc =
            new ProcessBuilder(jcmd.toString(), Long.toString(server.pid()), "GC.run")
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        if (!gc.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
          gc.destroyForcibly();
        }
        for (int i = 0; i < 20; i++) {
          if (liveHeapAfterFullGc(gcLog).size() > before) {
            return;
          }
          Thread.sleep(100);
        }
        System.out.println("  jcmd GC.run attempt " + attempt + " left no full GC in the log");
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The heap after each full GC the test asked for, in MiB, from the server's GC log. */
  static List<Integer> liveHeapAfterFullGc(Path gcLog) throws IOException {
    List<Integer> after = new ArrayList<>();
    for (String line : Files.readAllLines(gcLog)) {
      Matcher m = GC.matcher(line);
      if (line.contains("Pause Full (Diagnostic Command)") && m.find()) {
        after.add(Integer.parseInt(m.group(2)));
      }
    }
    return after;
  }

  private static void report(String text) throws IOException {
    System.out.println(text);
    Path out = Path.of("target", "reliability", "load.txt");
    Files.createDirectories(out.getParent());
    Files.writeString(
        out,
        text + "\n",
        StandardCharsets.UTF_8,
        StandardOpenOption.CREATE,
        StandardOpenOption.APPEND);
  }
}
