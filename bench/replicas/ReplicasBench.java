import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * The distributed mode's benchmark (bench/replicas-bench.sh, docs/BENCHMARKS.md): against the
 * servers at BASE_URLS (comma-separated; one for a single box), WORKERS threads upload small jobs
 * for SECONDS, each upload to the next server in turn; then EVENTS start events, each sent to one
 * server and timed until the run page read from another server (the same one for a single box)
 * shows the job. Prints uploads per second and the event-to-page latency's p50 and p99.
 *
 * <p>Usage: java bench/replicas/ReplicasBench.java BASE_URLS TOKEN WORKERS SECONDS EVENTS LABEL
 */
public final class ReplicasBench {
  private static final HttpClient CLIENT =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  public static void main(String[] args) throws Exception {
    List<String> servers = List.of(args[0].split(","));
    String token = args[1];
    int workers = Integer.parseInt(args[2]);
    int seconds = Integer.parseInt(args[3]);
    int events = Integer.parseInt(args[4]);
    String label = args[5];
    List<Long> pids = new ArrayList<>();
    for (String pid : System.getenv().getOrDefault("SERVER_PIDS", "").split(" ")) {
      if (!pid.isBlank()) {
        pids.add(Long.parseLong(pid.trim()));
      }
    }
    int warmup = Integer.parseInt(System.getenv().getOrDefault("WARMUP_SECONDS", "0"));
    if (warmup > 0) {
      uploadFor(servers, token, workers, warmup, "600");
    }
    long[] renderedBefore = pagesRendered(servers);
    double[] eachBefore = eachCpuSeconds(pids);
    double cpuBefore = cpuSeconds(pids);
    long start = System.nanoTime();
    int[] counts = uploadFor(servers, token, workers, seconds, "700");
    double elapsed = (System.nanoTime() - start) / 1e9;
    double uploadCpu = cpuSeconds(pids) - cpuBefore;
    double[] eachUpload = minus(eachCpuSeconds(pids), eachBefore);

    List<Double> latencies = new ArrayList<>();
    double eventCpuBefore = cpuSeconds(pids);
    double[] eachEventBefore = eachCpuSeconds(pids);
    for (int e = 0; e < events; e++) {
      String to = servers.get(e % servers.size());
      String from = servers.get((e + 1) % servers.size());
      String run = "800" + (e / 20);
      String job = "e" + e;
      long sent = System.nanoTime();
      int status =
          post(to + "event?eventName=start&workerHost=github&runId=" + run + "&jobName=" + job, token);
      if (status != 200) {
        throw new IllegalStateException("start event answered " + status);
      }
      String page = from + "github-jobs/" + run + "/index.html";
      while (true) {
        HttpResponse<String> r =
            CLIENT.send(HttpRequest.newBuilder(URI.create(page)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200 && r.body().contains(">" + job + "<")) {
          break;
        }
        if (System.nanoTime() - sent > Duration.ofSeconds(60).toNanos()) {
          throw new IllegalStateException(page + " did not show " + job + " within 60 s");
        }
        Thread.sleep(1);
      }
      latencies.add((System.nanoTime() - sent) / 1e6);
    }
    double eventCpu = cpuSeconds(pids) - eventCpuBefore;
    double[] eachEvent = minus(eachCpuSeconds(pids), eachEventBefore);
    Collections.sort(latencies);
    System.out.printf(
        Locale.ROOT,
        "%s: %d uploads in %.1f s = %.1f uploads/s (%d refused or failed), servers' CPU %.1f ms"
            + " per upload; event-to-page over %d events: p50 %.1f ms, p99 %.1f ms, servers' CPU"
            + " %.1f ms per event%n",
        label,
        counts[0],
        elapsed,
        counts[0] / elapsed,
        counts[1],
        counts[0] == 0 ? 0.0 : uploadCpu * 1000 / counts[0],
        latencies.size(),
        percentile(latencies, 0.50),
        percentile(latencies, 0.99),
        eventCpu * 1000 / Math.max(1, latencies.size()));
    if (pids.size() > 1) {
      // Each replica's own share: with rendering partitioned by role, the holders' stand out.
      StringBuilder each = new StringBuilder("  CPU per server:");
      for (int i = 0; i < pids.size(); i++) {
        each.append(
            String.format(
                Locale.ROOT,
                " r%d %.1f ms per upload, %.1f ms per event (with the polls it served);",
                i + 1,
                counts[0] == 0 ? 0.0 : eachUpload[i] * 1000 / counts[0],
                eachEvent[i] * 1000 / Math.max(1, latencies.size())));
      }
      System.out.println(each);
    }
    long[] rendered = pagesRendered(servers);
    StringBuilder pages = new StringBuilder("  pages rendered during the run:");
    for (int i = 0; i < servers.size(); i++) {
      pages.append(String.format(Locale.ROOT, " r%d %d;", i + 1, rendered[i] - renderedBefore[i]));
    }
    System.out.println(pages);
  }

  /** Each server's {@code soil_pages_rendered_total}. */
  private static long[] pagesRendered(List<String> servers) throws Exception {
    long[] each = new long[servers.size()];
    for (int i = 0; i < servers.size(); i++) {
      String metrics =
          CLIENT.send(
                  HttpRequest.newBuilder(URI.create(servers.get(i) + "metrics")).GET().build(),
                  HttpResponse.BodyHandlers.ofString())
              .body();
      for (String line : metrics.split("\n")) {
        if (line.startsWith("soil_pages_rendered_total ")) {
          each[i] = Long.parseLong(line.substring(line.indexOf(' ') + 1).trim());
        }
      }
    }
    return each;
  }

  private static double[] eachCpuSeconds(List<Long> pids) throws IOException {
    double[] each = new double[pids.size()];
    for (int i = 0; i < pids.size(); i++) {
      each[i] = cpuSeconds(List.of(pids.get(i)));
    }
    return each;
  }

  private static double[] minus(double[] after, double[] before) {
    double[] difference = new double[after.length];
    for (int i = 0; i < after.length; i++) {
      difference[i] = after[i] - before[i];
    }
    return difference;
  }

  /** User and system CPU seconds of {@code pids} so far, from /proc (Linux, 100 ticks/s). */
  private static double cpuSeconds(List<Long> pids) throws IOException {
    double total = 0;
    for (long pid : pids) {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      total += (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / 100.0;
    }
    return total;
  }

  /** WORKERS threads upload for SECONDS into runs PREFIX+thread; returns {uploads, failures}. */
  private static int[] uploadFor(
      List<String> servers, String token, int workers, int seconds, String prefix)
      throws InterruptedException {
    AtomicInteger uploads = new AtomicInteger();
    AtomicInteger failures = new AtomicInteger();
    long end = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
    List<Thread> threads = new ArrayList<>();
    for (int w = 0; w < workers; w++) {
      int id = w;
      Thread t =
          new Thread(
              () -> {
                for (int i = 0; System.nanoTime() < end; i++) {
                  String base = servers.get((id + i) % servers.size());
                  String job = "w" + id + "-j" + i;
                  try {
                    if (upload(base, token, prefix + id, job) == 200) {
                      uploads.incrementAndGet();
                    } else {
                      failures.incrementAndGet();
                    }
                  } catch (IOException | InterruptedException e) {
                    failures.incrementAndGet();
                  }
                }
              });
      t.start();
      threads.add(t);
    }
    for (Thread t : threads) {
      t.join();
    }
    return new int[] {uploads.get(), failures.get()};
  }

  private static double percentile(List<Double> sorted, double p) {
    return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p * sorted.size()) - 1));
  }

  private static int post(String url, String token) throws IOException, InterruptedException {
    return CLIENT
        .send(
            HttpRequest.newBuilder(URI.create(url))
                .header("Authorization", "Bearer " + token)
                .POST(HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.discarding())
        .statusCode();
  }

  /** A job of 3 tasks with 8 KiB logs: the wwz, tsv and JSON as one multipart body. */
  private static int upload(String base, String token, String run, String job)
      throws IOException, InterruptedException {
    ByteArrayOutputStream zip = new ByteArrayOutputStream();
    StringBuilder tsv = new StringBuilder();
    try (ZipOutputStream out = new ZipOutputStream(zip)) {
      for (int t = 0; t < 3; t++) {
        out.putNextEntry(new ZipEntry("_tmp/soil/logs/task-" + t + ".txt"));
        StringBuilder log = new StringBuilder();
        for (int line = 0; log.length() < 8192; line++) {
          log.append(job).append(" task-").append(t).append(" line ").append(line).append('\n');
        }
        out.write(log.toString().getBytes(StandardCharsets.UTF_8));
        out.closeEntry();
        tsv.append("0\t1.5\ttask-").append(t).append("\tsoil/worker.sh\ttask-").append(t)
            .append("\t-\n");
      }
    }
    String json =
        "{\"job-name\": \"" + job + "\", \"task-run-start-time\": \"1763700000\"}\n";
    String boundary = "bench" + System.nanoTime();
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    part(body, boundary, "wwz", job + ".wwz", zip.toByteArray());
    part(body, boundary, "tsv", job + ".tsv", tsv.toString().getBytes(StandardCharsets.UTF_8));
    part(body, boundary, "json", job + ".json", json.getBytes(StandardCharsets.UTF_8));
    body.write(("--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
    return CLIENT
        .send(
            HttpRequest.newBuilder(
                    URI.create(
                        base + "results?workerHost=github&runId=" + run + "&jobName=" + job))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray()))
                .build(),
            HttpResponse.BodyHandlers.discarding())
        .statusCode();
  }

  private static void part(
      ByteArrayOutputStream body, String boundary, String field, String file, byte[] bytes)
      throws IOException {
    body.write(
        ("--"
                + boundary
                + "\r\nContent-Disposition: form-data; name=\""
                + field
                + "\"; filename=\""
                + file
                + "\"\r\nContent-Type: application/octet-stream\r\n\r\n")
            .getBytes(StandardCharsets.UTF_8));
    body.write(bytes);
    body.write("\r\n".getBytes(StandardCharsets.UTF_8));
  }
}
