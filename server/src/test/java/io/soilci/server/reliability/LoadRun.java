package io.soilci.server.reliability;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code workers} threads each uploading jobs one after the other (a 503 is retried after a short
 * pause, as a worker's back-off does), and {@code readers} threads fetching run pages and logs out
 * of acknowledged jobs' wwz, until a deadline.
 */
final class LoadRun {
  final LoadStats uploads = new LoadStats("uploads");
  final LoadStats reads = new LoadStats("reads");
  final Map<String, JobFiles> acknowledged = new ConcurrentHashMap<>();
  final AtomicInteger retryAfterHeaders = new AtomicInteger();

  private final ServerProcess server;
  private final String token;
  private final List<JobFiles> templates;
  private final int runs;
  private final HttpClient client =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(10))
          .build();

  LoadRun(ServerProcess server, String token, List<JobFiles> templates, int runs) {
    this.server = server;
    this.token = token;
    this.templates = templates;
    this.runs = runs;
  }

  void run(int workers, int readers, Duration length) throws InterruptedException {
    long deadline = System.nanoTime() + length.toNanos();
    List<Thread> threads = new ArrayList<>();
    for (int w = 0; w < workers; w++) {
      int id = w;
      threads.add(new Thread(() -> work(id, deadline), "load-worker-" + id));
    }
    for (int r = 0; r < readers; r++) {
      int id = r;
      threads.add(new Thread(() -> read(id, deadline), "load-reader-" + id));
    }
    threads.forEach(Thread::start);
    for (Thread t : threads) {
      t.join(length.toMillis() + 120_000);
    }
  }

  private void work(int id, long deadline) {
    Random random = new Random(id);
    for (int i = 0; System.nanoTime() < deadline && i < 100_000; i++) {
      JobFiles job =
          templates
              .get(random.nextInt(templates.size()))
              .as(Integer.toString(2000 + random.nextInt(runs)), "w" + id + "-j" + i);
      for (int attempt = 0; attempt < 1000 && System.nanoTime() < deadline; attempt++) {
        String outcome = upload(job);
        if (outcome.equals("200")) {
          acknowledged.put(job.run() + "/" + job.job(), job);
          break;
        }
        if (!outcome.equals("503")) {
          break;
        }
        pause(50 + random.nextInt(200));
      }
    }
  }

  private String upload(JobFiles job) {
    var form = job.form();
    HttpRequest request =
        HttpRequest.newBuilder(server.uri("/results?" + job.query()))
            .header("Authorization", token)
            .header("Content-Type", form.contentType())
            .timeout(Duration.ofSeconds(120))
            .POST(HttpRequest.BodyPublishers.ofByteArray(form.bytes()))
            .build();
    long start = System.nanoTime();
    String outcome = send(request);
    uploads.add(outcome, System.nanoTime() - start);
    return outcome;
  }

  private void read(int id, long deadline) {
    Random random = new Random(-id - 1);
    for (int i = 0; System.nanoTime() < deadline && i < 1_000_000; i++) {
      List<JobFiles> jobs = new ArrayList<>(acknowledged.values());
      if (jobs.isEmpty()) {
        pause(50);
        continue;
      }
      JobFiles job = jobs.get(random.nextInt(jobs.size()));
      String path =
          random.nextInt(3) == 0
              ? "/github-jobs/" + job.run() + "/index.html"
              : job.path(".wwz/_tmp/soil/logs/task-1.txt");
      HttpRequest request =
          HttpRequest.newBuilder(server.uri(path)).timeout(Duration.ofSeconds(120)).build();
      long start = System.nanoTime();
      String outcome = send(request);
      reads.add(outcome, System.nanoTime() - start);
    }
  }

  private String send(HttpRequest request) {
    try {
      HttpResponse<byte[]> r = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
      if (r.statusCode() == 503 && r.headers().firstValue("Retry-After").isPresent()) {
        retryAfterHeaders.incrementAndGet();
      }
      return Integer.toString(r.statusCode());
    } catch (IOException e) {
      return e.getClass().getSimpleName();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted";
    }
  }

  private static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
