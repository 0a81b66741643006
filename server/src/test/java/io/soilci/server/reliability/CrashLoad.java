package io.soilci.server.reliability;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;

/**
 * A steady load on a server that may die at any moment: workers send start and task events, upload
 * jobs (retrying until acknowledged, as a real worker does) and done events; a reader fetches pages
 * and logs. Every request holds the read side of {@link #gate}; the killer holds the write side
 * while it restarts the server and inspects the folder.
 */
final class CrashLoad {
  final ReentrantReadWriteLock gate = new ReentrantReadWriteLock(true);
  final Map<String, JobFiles> acknowledged = new ConcurrentHashMap<>();
  final ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();
  final AtomicInteger attempts = new AtomicInteger();
  final AtomicInteger failedAttempts = new AtomicInteger();
  final AtomicInteger reads = new AtomicInteger();
  final AtomicInteger answered = new AtomicInteger();
  final Map<String, Integer> uploadOutcomes = new ConcurrentHashMap<>();

  private final Supplier<ServerProcess> server;
  private final String token;
  private final Path site;
  private final long seed;
  private final HttpClient client =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(2))
          .build();
  private volatile boolean stopped;
  private final List<Thread> threads = new ArrayList<>();

  CrashLoad(Supplier<ServerProcess> server, String token, Path site, long seed) {
    this.server = server;
    this.token = token;
    this.site = site;
    this.seed = seed;
  }

  void start(int workers) {
    for (int w = 0; w < workers; w++) {
      int id = w;
      threads.add(started(new Thread(() -> work(id), "crash-worker-" + id)));
    }
    threads.add(started(new Thread(this::read, "crash-reader")));
  }

  private static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static Thread started(Thread thread) {
    thread.setDaemon(true);
    thread.start();
    return thread;
  }

  void stop() throws InterruptedException {
    stopped = true;
    for (Thread t : threads) {
      t.join(60_000);
    }
  }

  private void work(int id) {
    Random random = new Random(seed + id);
    for (int i = 0; !stopped && i < 100_000; i++) {
      String run = Integer.toString(500 + random.nextInt(6));
      JobFiles job = JobFiles.make(run, "w" + id + "-j" + i, 3, 2048, random.nextLong());
      String q = job.query();
      send("/event?eventName=start&" + q, this::post);
      send("/event?eventName=task-done&task=task-0&status=0&elapsed=1.25&" + q, this::post);
      uploadUntilAcknowledged(job);
      send(
          "/event?eventName=done&status=0&updateStatusApi=1&statusRunId=9" + run + "&" + q,
          this::post);
    }
  }

  private void uploadUntilAcknowledged(JobFiles job) {
    for (int attempt = 0; !stopped && attempt < 200; attempt++) {
      var form = job.form();
      HttpResponse<String> r =
          send(
              "/results?" + job.query(),
              b ->
                  b.header("Authorization", token)
                      .header("Content-Type", form.contentType())
                      .timeout(Duration.ofSeconds(20))
                      .POST(HttpRequest.BodyPublishers.ofByteArray(form.bytes())));
      uploadOutcomes.merge(
          r == null ? "no answer" : Integer.toString(r.statusCode()), 1, Integer::sum);
      if (r != null && r.statusCode() == 200) {
        acknowledged.put(job.run() + "/" + job.job(), job);
        answered.incrementAndGet();
        return;
      }
      if (r == null) {
        pause(20); // the server is down: try again shortly, as a worker's back-off does
        continue;
      }
      if (r.statusCode() != 503) {
        violations.add("upload " + job.query() + " answered " + r.statusCode() + ": " + r.body());
        return;
      }
    }
  }

  private HttpRequest.Builder post(HttpRequest.Builder request) {
    return request
        .header("Authorization", token)
        .timeout(Duration.ofSeconds(20))
        .POST(HttpRequest.BodyPublishers.noBody());
  }

  /** Sends under the read side of the gate; null when the server was not there (killed). */
  private @Nullable HttpResponse<String> send(
      String pathAndQuery, UnaryOperator<HttpRequest.Builder> request) {
    gate.readLock().lock();
    try {
      attempts.incrementAndGet();
      HttpResponse<String> response =
          client.send(
              request.apply(HttpRequest.newBuilder(server.get().uri(pathAndQuery))).build(),
              HttpResponse.BodyHandlers.ofString());
      return response;
    } catch (IOException e) {
      failedAttempts.incrementAndGet();
      uploadOutcomes.merge(e.getClass().getSimpleName(), 1, Integer::sum);
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    } finally {
      gate.readLock().unlock();
    }
  }

  /** Waits until {@code count} more uploads were acknowledged, or {@code millis} passed. */
  void awaitAnswers(int count, long millis) throws InterruptedException {
    int target = answered.get() + count;
    long end = System.nanoTime() + millis * 1_000_000;
    while (answered.get() < target && System.nanoTime() < end) {
      Thread.sleep(10);
    }
  }

  /** Pages must never be torn; acknowledged logs must be served byte-identical; temps never. */
  private void read() {
    Random random = new Random(seed - 1);
    for (int i = 0; !stopped && i < 1_000_000; i++) {
      List<JobFiles> jobs = new ArrayList<>(acknowledged.values());
      String path =
          jobs.isEmpty() || random.nextBoolean()
              ? "/github-jobs/" + (500 + random.nextInt(6)) + "/index.html"
              : jobs.get(random.nextInt(jobs.size())).path(".wwz/_tmp/soil/logs/task-0.txt");
      HttpResponse<String> r = send(path, HttpRequest.Builder::GET);
      if (r == null) {
        continue;
      }
      reads.incrementAndGet();
      checkRead(path, r, jobs);
      if (i % 50 == 0) {
        requestTempFiles();
      }
    }
  }

  private void checkRead(String path, HttpResponse<String> r, List<JobFiles> jobs) {
    if (r.statusCode() == 200 && path.endsWith(".html") && !r.body().trim().endsWith("</html>")) {
      violations.add("torn page " + path + ": ends " + tail(r.body()));
    }
    if (path.endsWith(".txt")) {
      for (JobFiles job : jobs) {
        if (path.equals(job.path(".wwz/_tmp/soil/logs/task-0.txt"))
            && (r.statusCode() != 200
                || !r.body()
                    .equals(
                        new String(
                            job.entry("_tmp/soil/logs/task-0.txt"),
                            java.nio.charset.StandardCharsets.UTF_8)))) {
          violations.add("acknowledged log " + path + " answered " + r.statusCode());
        }
      }
    }
  }

  private void requestTempFiles() {
    try {
      for (Path temp : SiteChecks.tempFiles(site)) {
        String url = "/" + site.relativize(temp).toString();
        HttpResponse<String> r = send(url, HttpRequest.Builder::GET);
        if (r != null && r.statusCode() == 200) {
          violations.add("temp file " + url + " answered " + r.statusCode());
        }
      }
    } catch (IOException | RuntimeException e) {
      // A temp file renamed away mid-walk; the next round looks again.
    }
  }

  private static String tail(String body) {
    return body.substring(Math.max(0, body.length() - 60)).replace('\n', ' ');
  }
}
