import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Events through HTTP against a running soil-server (bench/event-bench.sh starts it): for each job
 * of new runs a start event, then a done event, one after another on one keep-alive connection.
 * Runs have 20 jobs, as the generated history's. Prints the p50/p99 of each kind, the mean, and
 * the server's CPU time per timed event (user + system from /proc/PID/stat, every thread of the
 * server: HTTP, pages, background syncs, GC, JIT), which a busy machine changes much less than the
 * wall time.
 *
 * <p>Usage: java bench/site/EventBench.java URL WORKER:SECRET SERVER_PID FIRST_RUN EVENTS WARMUP
 */
@SuppressWarnings("DefaultPackage") // run as a single source file
public final class EventBench {
  static final int JOBS_PER_RUN = 20;

  public static void main(String[] args) throws Exception {
    String url = args[0];
    String auth =
        "Basic " + java.util.Base64.getEncoder().encodeToString(args[1].getBytes(java.nio.charset.StandardCharsets.UTF_8));
    long pid = Long.parseLong(args[2]);
    int firstRun = Integer.parseInt(args[3]);
    int events = Integer.parseInt(args[4]);
    int warmup = Integer.parseInt(args[5]);
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    List<Double> starts = new ArrayList<>();
    List<Double> dones = new ArrayList<>();
    int run = firstRun;
    long cpu0 = 0;
    for (int i = 0; i < warmup + events; run++) {
      for (int j = 0; j < JOBS_PER_RUN && i < warmup + events; j++, i += 2) {
        if (i == warmup) {
          cpu0 = cpuMillis(pid);
        }
        String job = "workerHost=github&runId=" + run + "&jobName=bench-" + j;
        double start = send(client, url, auth, "eventName=start&" + job);
        double done = send(client, url, auth, "eventName=done&status=0&" + job);
        if (i >= warmup) {
          starts.add(start);
          dones.add(done);
        }
      }
    }
    double cpu = (cpuMillis(pid) - cpu0) / (double) (starts.size() + dones.size());
    double[] s = starts.stream().mapToDouble(Double::doubleValue).toArray();
    double[] d = dones.stream().mapToDouble(Double::doubleValue).toArray();
    System.out.printf(
        "events %d: start p50 %.2f ms p99 %.2f ms | done p50 %.2f ms p99 %.2f ms | mean %.2f ms"
            + " | server CPU %.2f ms per event%n",
        s.length + d.length,
        percentile(s, 50),
        percentile(s, 99),
        percentile(d, 50),
        percentile(d, 99),
        (Arrays.stream(s).sum() + Arrays.stream(d).sum()) / (s.length + d.length),
        cpu);
  }

  /** User + system CPU time of process {@code pid} so far (clock ticks of 10 ms). */
  static long cpuMillis(long pid) throws java.io.IOException {
    String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/" + pid + "/stat"));
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10;
  }

  static double send(HttpClient client, String url, String auth, String query) throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(url + "event?" + query))
            .header("Authorization", auth)
            .POST(HttpRequest.BodyPublishers.noBody())
            .build();
    long t0 = System.nanoTime();
    HttpResponse<String> answer = client.send(request, HttpResponse.BodyHandlers.ofString());
    double millis = (System.nanoTime() - t0) / 1e6;
    if (answer.statusCode() != 200) {
      throw new IllegalStateException(query + ": " + answer.statusCode() + " " + answer.body());
    }
    return millis;
  }

  static double percentile(double[] values, int p) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
  }
}
