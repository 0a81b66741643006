import static java.nio.charset.StandardCharsets.UTF_8;

import io.soilci.server.storage.FolderObjectStore;
import io.soilci.server.storage.ObjectStore;
import io.soilci.server.storage.S3ObjectStore;
import io.soilci.server.testing.S3ProxyProcess;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Per-unit costs of the bucket for the capacity model (docs/SCALING.md, docs/BENCHMARKS.md): a
 * job's three files PUT, the wwz read back whole, and 4 KiB ranged reads (a zip entry), against
 * the local folder and against s3proxy (filesystem backend) as a separate process, with 1 and 4
 * threads. Arguments: WORK_DIR JOBS WWZ_KIB.
 */
@SuppressWarnings("DefaultPackage") // run as a single source file: bench/storage-bench.sh
public final class StorageBench {
  private StorageBench() {}

  public static void main(String[] args) throws Exception {
    Path work = Path.of(args[0]);
    int jobs = Integer.parseInt(args[1]);
    int wwzKib = Integer.parseInt(args[2]);
    Path files = Files.createDirectories(work.resolve("files"));
    byte[] wwz = new byte[wwzKib * 1024];
    new Random(1).nextBytes(wwz);
    Path wwzFile = Files.write(files.resolve("job.wwz"), wwz);
    Path tsvFile = Files.write(files.resolve("job.tsv"), "x\t0\t1.0\tx.txt\n".repeat(40).getBytes(UTF_8));
    Path jsonFile = Files.write(files.resolve("job.json"), "{\"a\":1}".repeat(100).getBytes(UTF_8));
    System.out.printf(
        "jobs %d, wwz %d KiB, tsv %d B, json %d B; load %s%n",
        jobs, wwzKib, Files.size(tsvFile), Files.size(jsonFile), load());
    System.out.println("store   threads  put jobs/s  put MB/s  get wwz/s  get MB/s  4KiB reads/s");
    try (S3ProxyProcess proxy = S3ProxyProcess.start(Files.createDirectories(work.resolve("s3")))) {
      for (int threads : new int[] {1, 4}) {
        Path folder = work.resolve("folder-" + threads);
        try (ObjectStore store = new FolderObjectStore(folder)) {
          run("folder", store, threads, jobs, wwzFile, tsvFile, jsonFile);
        }
        String bucket = "bench-" + threads;
        proxy.createBucket(bucket);
        try (ObjectStore store = S3ObjectStore.open(proxy.settings(bucket, "site/"))) {
          run("s3proxy", store, threads, jobs, wwzFile, tsvFile, jsonFile);
        }
      }
    }
  }

  private static String load() throws Exception {
    return Files.readString(Path.of("/proc/loadavg")).trim();
  }

  private interface Unit {
    long run(int i) throws Exception;
  }

  private static void run(
      String name, ObjectStore store, int threads, int jobs, Path wwz, Path tsv, Path json)
      throws Exception {
    double mb = Files.size(wwz) + Files.size(tsv) + Files.size(json);
    double[] put =
        timed(
            threads,
            jobs,
            i -> {
              String run = "github-jobs/" + (i / 50) + "/job-" + i;
              store.put(run + ".wwz", wwz, "application/zip");
              store.put(run + ".tsv", tsv, "text/plain; charset=utf-8");
              store.put(run + ".json", json, "application/json");
              return (long) mb;
            });
    double[] get =
        timed(
            threads,
            jobs,
            i -> {
              try (InputStream in = store.open("github-jobs/" + (i / 50) + "/job-" + i + ".wwz")) {
                return in.transferTo(java.io.OutputStream.nullOutputStream());
              }
            });
    long wwzBytes = Files.size(wwz);
    double[] ranged =
        timed(
            threads,
            jobs * 4,
            i -> {
              long offset = (i * 7919L * 4096) % Math.max(1, wwzBytes - 4096);
              String key = "github-jobs/" + (i % jobs / 50) + "/job-" + (i % jobs) + ".wwz";
              return store.read(key, offset, 4096).length;
            });
    System.out.printf(
        Locale.ROOT,
        "%-8s %7d %11.1f %9.1f %10.1f %9.1f %13.1f%n",
        name,
        threads,
        put[0],
        put[1],
        get[0],
        get[1],
        ranged[0]);
  }

  /** Units per second and MB per second of {@code count} units on {@code threads} threads. */
  private static double[] timed(int threads, int count, Unit unit) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      long start = System.nanoTime();
      List<Future<Long>> done = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        int n = i;
        done.add(pool.submit(() -> unit.run(n)));
      }
      long bytes = 0;
      for (Future<Long> f : done) {
        bytes += f.get();
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      return new double[] {count / seconds, bytes / seconds / 1e6};
    } finally {
      pool.shutdownNow();
    }
  }
}
