import io.soilci.result.JobMeta;
import io.soilci.result.JobMetaCodec;
import io.soilci.result.JobName;
import io.soilci.result.JobRef;
import io.soilci.result.RunId;
import io.soilci.result.TaskName;
import io.soilci.result.TaskRow;
import io.soilci.result.TaskRows;
import io.soilci.result.WorkerHost;
import io.soilci.server.site.Site;
import io.soilci.server.site.SiteSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * The site benchmark: with N stored jobs of history (real files), how long Site.open takes, how
 * long a full rebuild of every page takes, and the p50/p99 of applying one event (job started,
 * job stored) and rewriting its pages. Run by bench/site-bench.sh.
 */
@SuppressWarnings("DefaultPackage") // run as a single source file: java bench/site/SiteBench.java
public final class SiteBench {
  static final int JOBS_PER_RUN = 20;
  static final int EVENTS = 400;
  static final int WARMUP = 100;

  public static void main(String[] args) throws Exception {
    if (args[0].equals("generate")) {
      generate(Path.of(args[1]), Integer.parseInt(args[2]) / JOBS_PER_RUN);
      return;
    }
    if (args[0].equals("open")) {
      for (int i = 0; i < 3; i++) {
        long t0 = System.nanoTime();
        long c0 = cpu();
        Site.open(new SiteSettings(Path.of(args[1]), 1_000_000, Optional.empty())).close();
        System.out.printf("open: %.2f s (CPU %.2f s)%n", (System.nanoTime() - t0) / 1e9, (cpu() - c0) / 1e9);
      }
      return;
    }
    Path base = Path.of(args[0]);
    List<Integer> sizes = Arrays.stream(args).skip(1).map(Integer::parseInt).toList();
    System.out.println("| history jobs | first open | restart | full rebuild (pages) | event p50 | event p99 | index.html | raw.html | heap after open |");
    System.out.println("|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (int jobs : sizes) {
      Path root = base.resolve("site-" + jobs);
      System.out.println(row(jobs, root));
    }
  }

  static String row(int jobs, Path root) throws Exception {
    int runs = jobs / JOBS_PER_RUN;
    generate(root, runs);
    // With a home page, open does not rebuild everything: it renders the newest runs' pages.
    Files.writeString(root.resolve("index.html"), "placeholder: open must not rebuild\n");
    SiteSettings settings = new SiteSettings(root, runs + EVENTS, Optional.of("https://github.com/oils-for-unix/oils"));
    System.gc();
    long t0 = System.nanoTime();
    long c0 = cpu();
    Site site = Site.open(settings);
    double openSeconds = (System.nanoTime() - t0) / 1e9;
    double openCpu = (cpu() - c0) / 1e9;
    System.gc();
    long heap = Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory();
    long t1 = System.nanoTime();
    long c1 = cpu();
    site.regenerateAll();
    double rebuildSeconds = (System.nanoTime() - t1) / 1e9;
    double rebuildCpu = (cpu() - c1) / 1e9;
    long pages = countPages(root);
    site.close();
    long t2 = System.nanoTime();
    long c2 = cpu();
    site = Site.open(settings);
    double reopenSeconds = (System.nanoTime() - t2) / 1e9;
    double reopenCpu = (cpu() - c2) / 1e9;
    double[] events = events(site, root, runs);
    site.close();
    return String.format(
        "| %,d | %.2f s (CPU %.2f s) | %.2f s (CPU %.2f s) | %.1f s (CPU %.1f s, %,d files) | %.2f ms | %.2f ms | %,d B | %,d B | %,d MB |",
        jobs,
        openSeconds,
        openCpu,
        reopenSeconds,
        reopenCpu,
        rebuildSeconds,
        rebuildCpu,
        pages,
        percentile(events, 50),
        percentile(events, 99),
        Files.size(root.resolve("github-jobs/index.html")),
        Files.size(root.resolve("github-jobs/raw.html")),
        heap >> 20);
  }

  /** Times each event of new runs: a start, then the stored files, job after job. */
  static double[] events(Site site, Path root, int runs) throws IOException {
    List<Double> millis = new ArrayList<>();
    int event = 0;
    for (int run = runs; event < EVENTS + WARMUP; run++) {
      for (int j = 0; j < 4 && event < EVENTS + WARMUP; j++, event += 2) {
        JobRef ref = ref(run, j);
        long start = System.nanoTime();
        site.jobStarted(ref, Instant.ofEpochSecond(startOf(run)));
        double started = (System.nanoTime() - start) / 1e6;
        JobMeta meta = writeJob(root, run, j);
        long stored = System.nanoTime();
        site.jobStored(ref, meta, tasks(run, j));
        double storedMs = (System.nanoTime() - stored) / 1e6;
        if (event >= WARMUP) {
          millis.add(started);
          millis.add(storedMs);
        }
      }
    }
    return millis.stream().mapToDouble(Double::doubleValue).toArray();
  }

  /** CPU seconds used by this process so far, in nanoseconds: a figure the machine's load does not change much. */
  static long cpu() {
    return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
  }

  static double percentile(double[] values, int p) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
  }

  static void generate(Path root, int runs) {
    IntStream.range(0, runs).parallel().forEach(run -> {
      for (int j = 0; j < JOBS_PER_RUN; j++) {
        try {
          writeJob(root, run, j);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    });
  }

  static JobRef ref(int run, int job) {
    return new JobRef(WorkerHost.GITHUB, new RunId(Integer.toString(1000 + run)), new JobName("job-" + job));
  }

  static long startOf(int run) {
    return 1_700_000_000L + run * 1800L;
  }

  /** The job's three files as an upload leaves them (plain writes: this is setup, not timed). */
  static JobMeta writeJob(Path root, int run, int job) throws IOException {
    JobRef ref = ref(run, job);
    Map<String, String> values = new LinkedHashMap<>();
    values.put(JobMeta.COMMIT_HASH, String.format("%040x", (long) run * 2654435761L));
    values.put(JobMeta.COMMIT_DATE, "2026-11-20T10:00:01+00:00");
    values.put(JobMeta.COMMIT_LINE, "Commit subject for run " + run + " <with> & html");
    values.put(JobMeta.TASK_RUN_START_TIME, Long.toString(startOf(run)));
    values.put(JobMeta.JOB_NAME, ref.job().value());
    values.put(JobMeta.JOB_URL, "https://github.com/oils-for-unix/oils/actions/runs/" + (90000 + run));
    values.put(JobMeta.GITHUB_RUN_ID, Integer.toString(90000 + run));
    values.put(JobMeta.GITHUB_RUN_NUMBER, ref.run().value());
    values.put(JobMeta.GITHUB_REF, "refs/heads/soil-staging");
    JobMeta meta = new JobMeta(new LinkedHashMap<>(values));
    Path dir = root.resolve(ref.runDir());
    Files.createDirectories(dir);
    Files.write(dir.resolve(ref.job() + ".wwz"), new byte[] {'P', 'K', 5, 6});
    Files.writeString(dir.resolve(ref.job() + ".tsv"), TaskRows.format(tasks(run, job)));
    Files.write(dir.resolve(ref.job() + ".json"), JobMetaCodec.format(meta));
    return meta;
  }

  static List<TaskRow> tasks(int run, int job) {
    List<TaskRow> rows = new ArrayList<>();
    for (int t = 0; t < 8; t++) {
      int status = (run + job + t) % 97 == 0 ? 1 : 0;
      rows.add(new TaskRow(status, 10 + t * 3.25, new TaskName("task-" + t), "test/t.sh", "all", t == 3 ? "_tmp/result.html" : "-"));
    }
    return rows;
  }

  static long countPages(Path root) throws IOException {
    try (Stream<Path> files = Files.walk(root)) {
      return files.filter(p -> p.toString().endsWith(".html") || p.toString().endsWith("index.json")).count();
    }
  }
}
