package io.soilci.server.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.nats.client.Connection;
import io.nats.client.KeyValue;
import io.nats.client.Nats;
import io.nats.client.api.KeyValueEntry;
import io.soilci.server.auth.Scope;
import io.soilci.server.auth.Worker;
import io.soilci.server.auth.WorkerStore;
import io.soilci.server.cluster.HostLeases;
import io.soilci.server.state.StateLayout;
import io.soilci.server.storage.ObjectStore;
import io.soilci.server.storage.S3Credentials;
import io.soilci.server.storage.S3ObjectStore;
import io.soilci.server.testing.BucketChecks;
import io.soilci.server.testing.NatsProcess;
import io.soilci.server.testing.ReplicaConfig;
import io.soilci.server.testing.S3ProxyProcess;
import io.soilci.server.testing.TestProcesses;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The distributed mode for real: nats-server (JetStream) and s3proxy as processes, three replicas
 * of the shaded jar as processes behind nginx (round robin), four workers sending events and
 * uploads through nginx (each retried until answered 200, as a worker does) and a reader checking
 * every page it gets. Meanwhile a replica, nats-server and s3proxy are each SIGKILLed and restarted
 * (the replica killed is the one that renders github's pages and mirrors them to the bucket;
 * before, a replica that holds neither its role nor the site's rendered no page). Then: every
 * acknowledged upload is on every replica byte for byte, no page read was torn, the three replicas'
 * sites are the same files, equal to a {@code regen} of the stored jobs, every page read through
 * each replica's HTTP is the same bytes, every page, status file and badge in the bucket is
 * regen's, byte for byte, and the bucket's job files are the sites'.
 */
class ReplicasIT {
  private static final List<String> JVM =
      List.of(
          "-Xmx192m",
          "-XX:TieredStopAtLevel=1",
          // Times in the replicas' logs, to order what each did when a check fails.
          "-Dorg.slf4j.simpleLogger.showDateTime=true",
          "-Dorg.slf4j.simpleLogger.dateTimeFormat=HH:mm:ss.SSS",
          // Each announcement made and followed, for the same reason.
          "-Dorg.slf4j.simpleLogger.log.io.soilci.server.cluster.PageMirror=debug",
          "-Dorg.slf4j.simpleLogger.log.io.soilci.server.cluster.PageFollower=debug");
  private static final Duration CONVERGE = Duration.ofMinutes(3);
  private static final String BUCKET = "soil";
  private static final int WORKERS = 4;

  @TempDir Path dir;

  private final HttpClient client =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(2))
          .build();
  private final Map<String, JobFiles> acknowledged = new ConcurrentHashMap<>();
  private final ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();
  private final AtomicInteger refused = new AtomicInteger();
  private final AtomicInteger reads = new AtomicInteger();
  private volatile boolean stopped;
  private String token = "";
  private int nginxPort;
  // What a failed check would otherwise leave running after the test (killed in cleanUp).
  private final List<Replica> replicas = new ArrayList<>();
  private @Nullable Process nginx;

  private final class Replica {
    final String name;
    final Path site;
    final Path state;
    final Path config;
    final int port;
    @Nullable ServerProcess process;

    Replica(String name, NatsProcess nats, S3ProxyProcess s3) throws IOException {
      this.name = name;
      this.site = dir.resolve(name).resolve("site");
      this.state = dir.resolve(name).resolve("state");
      this.port = ServerProcess.freePort();
      this.config = dir.resolve(name).resolve("soil.json");
      ReplicaConfig.of(name, nats).onS3(s3.endpoint(), BUCKET, "site/").write(config, site, state);
    }

    void start() throws Exception {
      S3Credentials keys = S3ProxyProcess.CREDENTIALS;
      process =
          ServerProcess.serve(
              dir.resolve(name + ".log"),
              JVM,
              List.of("--config", config.toString(), "--init"),
              port,
              Map.of(
                  S3Credentials.ACCESS_KEY, keys.accessKey(),
                  S3Credentials.SECRET_KEY, keys.secretKey()));
      awaitCondition(() -> status(URI.create(base() + "/readyz")) == 200, name + " ready");
    }

    String base() {
      return "http://127.0.0.1:" + port;
    }

    void kill() throws InterruptedException {
      ServerProcess p = process;
      if (p != null) {
        p.kill();
      }
    }

    void stop() throws InterruptedException {
      ServerProcess p = process;
      if (p != null) {
        p.close();
      }
    }
  }

  @Test
  void replicasBehindNginxSurviveSigkillOfAReplicaNatsAndS3AndEndAsRegen() throws Exception {
    long seed = Long.getLong("soil.replicas.seed", System.nanoTime());
    System.out.println("ReplicasIT seed " + seed);
    try (NatsProcess nats = NatsProcess.start(dir.resolve("nats"));
        S3ProxyProcess s3 = S3ProxyProcess.start(dir.resolve("s3"))) {
      s3.createBucket(BUCKET);
      for (int i = 1; i <= 3; i++) {
        replicas.add(new Replica("r" + i, nats, s3));
      }
      // One worker token for every replica: the deployment shares workers.json.
      Path state1 = replicas.get(0).state;
      token =
          "Bearer w:"
              + new WorkerStore(new StateLayout(state1), 1000)
                  .add(new Worker("w", Set.of(Scope.GITHUB_JOBS, Scope.STATUS_API)), false);
      for (Replica r : replicas.subList(1, 3)) {
        Files.createDirectories(r.state);
        Files.copy(state1.resolve("workers.json"), r.state.resolve("workers.json"));
      }
      for (Replica r : replicas) {
        r.start();
      }
      Map<String, Long> renderedBefore = new HashMap<>();
      for (Replica r : replicas) {
        renderedBefore.put(r.name, pagesRendered(r));
      }
      Process nginx = startNginx(replicas);
      this.nginx = nginx;
      liveTailIsWholeOnEveryReplica();
      List<Thread> threads = new ArrayList<>();
      try {
        for (int w = 0; w < WORKERS; w++) {
          int id = w;
          threads.add(started(new Thread(() -> work(id, seed), "replicas-worker-" + id)));
        }
        threads.add(started(new Thread(this::read, "replicas-reader")));
        awaitAcknowledged(8);
        // Partitioned rendering: a replica that holds neither github's role nor the site's renders
        // no page; it fetches them as their holders announce them.
        Set<String> holders =
            new HashSet<>(
                List.of(
                    holder(nats, HostLeases.SITE),
                    holder(nats, HostLeases.hostKey("github-jobs"))));
        for (Replica r : replicas) {
          if (!holders.contains(r.name)) {
            assertThat(pagesRendered(r) - renderedBefore.getOrDefault(r.name, 0L))
                .as("pages rendered by %s, holding no role that changed", r.name)
                .isZero();
          }
        }

        // The replica that mirrors github's pages to the bucket, killed among events: the pages
        // changed until another takes the role (its TTL) reach the bucket only by its reconcile.
        Replica victim = holderOfGithubPages(nats, replicas);
        victim.kill();
        awaitAcknowledged(4);
        victim.start();
        awaitAcknowledged(4);

        nats.kill();
        int refusedBefore = refused.get();
        awaitCondition(() -> refused.get() > refusedBefore, "a request refused while nats is down");
        nats.start();
        awaitAcknowledged(4);

        s3.kill();
        int refusedBeforeS3 = refused.get();
        awaitCondition(() -> refused.get() > refusedBeforeS3, "a request refused while s3 is down");
        s3.start();
        awaitAcknowledged(6);
      } finally {
        stopped = true;
        for (Thread t : threads) {
          t.join(120_000);
        }
      }

      List<String> differ = awaitSameSites(replicas);
      assertThat(violations).as("violations").isEmpty();
      assertThat(differ)
          .as("files that differ between the replicas%s", describe(differ, nats))
          .isEmpty();
      for (Replica r : replicas) {
        for (JobFiles job : acknowledged.values()) {
          Path stored = r.site.resolve("github-jobs/" + job.run() + "/" + job.job());
          assertThat(Files.readAllBytes(Path.of(stored + ".wwz"))).isEqualTo(job.wwz());
          assertThat(Files.readAllBytes(Path.of(stored + ".tsv"))).isEqualTo(job.tsv());
          assertThat(Files.readAllBytes(Path.of(stored + ".json"))).isEqualTo(job.json());
        }
      }
      assertSameOverHttp(replicas);
      try (S3ObjectStore bucket = S3ObjectStore.open(s3.settings(BUCKET, "site/"))) {
        assertThat(awaitBucket(bucket, replicas.get(0).site))
            .as("the bucket's pages against r1's")
            .isEmpty();
        // Every acknowledged upload's files are in the bucket too, and nothing else is.
        assertThat(BucketChecks.jobFileDifferences(bucket, replicas.get(0).site))
            .as("the bucket's job files against r1's")
            .isEmpty();
        for (Replica r : replicas) {
          r.stop();
        }
        assertThat(differencesFromRegen(replicas.get(0))).as("r1 against regen").isEmpty();
        assertThat(BucketChecks.pageDifferences(bucket, dir.resolve("regen")))
            .as("every page, status file and badge in the bucket against regen's")
            .isEmpty();
      }
      nginx.destroy();
      nginx.waitFor(10, TimeUnit.SECONDS);
      System.out.println(
          "ReplicasIT: "
              + acknowledged.size()
              + " uploads acknowledged, "
              + refused.get()
              + " requests refused or cut off, "
              + reads.get()
              + " pages read through nginx, 0 torn");
    }
  }

  @AfterEach
  void cleanUp() throws InterruptedException {
    for (Replica r : replicas) {
      r.kill();
    }
    Process n = nginx;
    if (n != null) {
      // SIGTERM: nginx's master stops its workers, which a SIGKILL of the master alone would
      // leave running (orphans of init, still holding the port).
      n.destroy();
      if (!n.waitFor(10, TimeUnit.SECONDS)) {
        n.descendants().forEach(ProcessHandle::destroyForcibly);
        n.destroyForcibly();
        n.waitFor(10, TimeUnit.SECONDS);
      }
    }
  }

  private Process startNginx(List<Replica> replicas) throws Exception {
    nginxPort = ServerProcess.freePort();
    Path conf = dir.resolve("nginx");
    Files.createDirectories(conf.resolve("logs"));
    StringBuilder upstream = new StringBuilder("  upstream soil_replicas {\n");
    for (Replica r : replicas) {
      upstream.append("    server 127.0.0.1:").append(r.port).append(";\n");
    }
    upstream.append("  }\n");
    String text =
        String.join(
            "\n",
            "root".equals(System.getProperty("user.name")) ? "user root;" : "",
            "pid " + conf.resolve("nginx.pid") + ";",
            "error_log " + conf.resolve("logs/error.log") + ";",
            "events { worker_connections 256; }",
            "http {",
            "  access_log " + conf.resolve("logs/access.log") + ";",
            "  client_body_temp_path " + conf.resolve("body") + ";",
            "  proxy_temp_path " + conf.resolve("proxy") + ";",
            "  fastcgi_temp_path " + conf.resolve("fastcgi") + ";",
            "  uwsgi_temp_path " + conf.resolve("uwsgi") + ";",
            "  scgi_temp_path " + conf.resolve("scgi") + ";",
            upstream.toString(),
            "  server {",
            "    listen 127.0.0.1:" + nginxPort + ";",
            "    client_max_body_size 64m;",
            "    location / {",
            "      proxy_pass http://soil_replicas;",
            "      proxy_http_version 1.1;",
            "      proxy_set_header Connection \"\";",
            "      proxy_next_upstream error timeout non_idempotent;",
            "      proxy_connect_timeout 2s;",
            "    }",
            "  }",
            "}",
            "");
    Path file = Files.writeString(conf.resolve("nginx.conf"), text);
    Process nginx =
        TestProcesses.track(
            new ProcessBuilder(
                    "nginx", "-p", conf.toString(), "-c", file.toString(), "-g", "daemon off;")
                .redirectErrorStream(true)
                .redirectOutput(conf.resolve("nginx.out").toFile())
                .start());
    awaitCondition(() -> accepts(nginxPort) || !nginx.isAlive(), "nginx listening");
    assertThat(nginx.isAlive()).as("nginx: see " + conf.resolve("nginx.out")).isTrue();
    return nginx;
  }

  private static boolean accepts(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private void work(int id, long seed) {
    Random random = new Random(seed + id);
    for (int i = 0; !stopped; i++) {
      String run = Integer.toString(600 + random.nextInt(5));
      JobFiles job = JobFiles.make(run, "w" + id + "-j" + i, 3, 1024, random.nextLong());
      String q = job.query();
      if (!postUntilOk("/event?eventName=start&" + q)
          || !postUntilOk("/event?eventName=task-done&task=task-0&status=0&elapsed=1.25&" + q)
          || !uploadUntilOk(job)
          || !postUntilOk("/event?eventName=done&status=0&updateStatusApi=1&" + q)) {
        return;
      }
    }
  }

  private boolean postUntilOk(String pathAndQuery) {
    while (!stopped) {
      HttpResponse<String> r =
          send(
              HttpRequest.newBuilder(nginx(pathAndQuery))
                  .header("Authorization", token)
                  .timeout(Duration.ofSeconds(20))
                  .POST(HttpRequest.BodyPublishers.noBody()));
      if (r != null && r.statusCode() == 200) {
        return true;
      }
      if (r != null && r.statusCode() != 503 && r.statusCode() != 502) {
        violations.add(pathAndQuery + " answered " + r.statusCode() + ": " + r.body());
        return false;
      }
      refused.incrementAndGet();
      pause(50);
    }
    return false;
  }

  private boolean uploadUntilOk(JobFiles job) {
    var form = job.form();
    while (!stopped) {
      HttpResponse<String> r =
          send(
              HttpRequest.newBuilder(nginx("/results?" + job.query()))
                  .header("Authorization", token)
                  .header("Content-Type", form.contentType())
                  .timeout(Duration.ofSeconds(30))
                  .POST(HttpRequest.BodyPublishers.ofByteArray(form.bytes())));
      if (r != null && r.statusCode() == 200) {
        acknowledged.put(job.run() + "/" + job.job(), job);
        return true;
      }
      if (r != null && r.statusCode() != 503 && r.statusCode() != 502) {
        violations.add("upload " + job.query() + " answered " + r.statusCode() + ": " + r.body());
        return false;
      }
      refused.incrementAndGet();
      pause(50);
    }
    return false;
  }

  /**
   * A task's live log sent through nginx chunk by chunk (round robin: each chunk to the next
   * replica) is read whole and in order from every replica through nginx. Chunks without events:
   * they change no page, so the sites stay regen's.
   */
  private void liveTailIsWholeOnEveryReplica() throws InterruptedException {
    String log = "/log?workerHost=github&runId=590&jobName=live&task=build";
    StringBuilder sent = new StringBuilder();
    for (int i = 1; i <= 2 * replicas.size(); i++) {
      String chunk = "chunk " + i + "\n";
      sent.append(chunk);
      HttpResponse<String> r =
          java.util.Objects.requireNonNull(
              send(
                  HttpRequest.newBuilder(nginx(log))
                      .header("Authorization", token)
                      .POST(HttpRequest.BodyPublishers.ofString(chunk))),
              "no answer to chunk " + i);
      assertThat(r.body()).isEqualTo("log github-jobs/590/live/build " + sent.length() + "\n");
    }
    awaitCondition(
        () -> {
          for (int i = 0; i < replicas.size(); i++) {
            HttpResponse<String> r =
                send(HttpRequest.newBuilder(nginx("/live/github-jobs/590/live/build.txt")).GET());
            if (r == null || r.statusCode() != 200 || !r.body().equals(sent.toString())) {
              return false;
            }
          }
          return true;
        },
        "the whole live log read from each replica in turn through nginx");
  }

  /** Pages read through nginx must never be torn. */
  private void read() {
    Random random = new Random(7);
    while (!stopped) {
      String path = "/github-jobs/" + (600 + random.nextInt(5)) + "/index.html";
      HttpResponse<String> r = send(HttpRequest.newBuilder(nginx(path)).GET());
      if (r != null && r.statusCode() == 200) {
        reads.incrementAndGet();
        if (!r.body().trim().endsWith("</html>")) {
          violations.add("torn page " + path);
        }
      }
      pause(20);
    }
  }

  private URI nginx(String pathAndQuery) {
    return URI.create("http://127.0.0.1:" + nginxPort + pathAndQuery);
  }

  private @Nullable HttpResponse<String> send(HttpRequest.Builder request) {
    try {
      return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  private int status(URI uri) {
    HttpResponse<String> r = send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).GET());
    return r == null ? -1 : r.statusCode();
  }

  private void awaitAcknowledged(int more) throws InterruptedException {
    int target = acknowledged.size() + more;
    awaitCondition(
        () -> acknowledged.size() >= target || !violations.isEmpty(),
        target + " uploads acknowledged");
  }

  /** Waits until every replica's site holds the same files; returns those that still differ. */
  private List<String> awaitSameSites(List<Replica> replicas) throws Exception {
    long deadline = System.nanoTime() + CONVERGE.toNanos();
    List<String> differ;
    do {
      differ = new ArrayList<>();
      for (Replica r : replicas.subList(1, replicas.size())) {
        differ.addAll(
            SiteChecks.differences(replicas.get(0).site, r.site).stream()
                .filter(p -> !p.contains(".tmp-"))
                .map(p -> r.name + ": " + p)
                .toList());
      }
      if (differ.isEmpty()) {
        return differ;
      }
      Thread.sleep(200);
    } while (System.nanoTime() < deadline);
    return differ;
  }

  /**
   * For a failed convergence: each differing page's MD5 on every replica, the lines where it
   * differs from r1's, which replica holds each role now, and each replica's log lines that name
   * the page.
   */
  private String describe(List<String> differ, NatsProcess nats) throws Exception {
    if (differ.isEmpty()) {
      return "";
    }
    StringBuilder out = new StringBuilder("\n");
    out.append("site role: ").append(holder(nats, HostLeases.SITE));
    out.append(", github's: ").append(holder(nats, HostLeases.hostKey("github-jobs"))).append('\n');
    Set<String> paths = new java.util.TreeSet<>();
    for (String d : differ) {
      paths.add(d.substring(d.indexOf(": ") + 2));
    }
    for (String path : paths.stream().limit(5).toList()) {
      out.append("-- ").append(path).append('\n');
      List<String> first = null;
      for (Replica r : replicas) {
        Path file = r.site.resolve(path);
        if (!Files.isRegularFile(file)) {
          out.append(r.name).append(": missing\n");
          continue;
        }
        byte[] bytes = Files.readAllBytes(file);
        out.append(r.name)
            .append(": ")
            .append(io.soilci.server.storage.Md5.hex(bytes))
            .append(", ")
            .append(bytes.length)
            .append(" bytes, modified ")
            .append(Files.getLastModifiedTime(file))
            .append('\n');
        List<String> lines =
            List.of(new String(bytes, java.nio.charset.StandardCharsets.UTF_8).split("\n"));
        if (first == null) {
          first = lines;
        } else {
          for (int i = 0, shown = 0; i < Math.max(first.size(), lines.size()) && shown < 6; i++) {
            String a = i < first.size() ? first.get(i) : "";
            String b = i < lines.size() ? lines.get(i) : "";
            if (!a.equals(b)) {
              out.append("  line ").append(i + 1).append(" r1: ").append(a.strip()).append('\n');
              out.append("  line ").append(i + 1).append(' ').append(r.name).append(": ");
              out.append(b.strip()).append('\n');
              shown++;
            }
          }
        }
      }
      for (Replica r : replicas) {
        Path log = dir.resolve(r.name + ".log");
        if (Files.isRegularFile(log)) {
          for (String line : Files.readAllLines(log)) {
            if (line.contains(path) || line.contains("role host.github-jobs")) {
              out.append("  ").append(r.name).append(" log: ").append(line).append('\n');
            }
          }
        }
      }
    }
    return out.toString();
  }

  /** The replica that holds {@code role} now, as the roles' key-value bucket says. */
  private static String holder(NatsProcess nats, String role) throws Exception {
    try (Connection connection = Nats.connect(nats.url())) {
      KeyValueEntry entry = connection.keyValue(HostLeases.BUCKET).get(role);
      return entry == null || entry.getValue() == null ? "" : entry.getValueAsString();
    }
  }

  /** The replica's {@code soil_pages_rendered_total}. */
  private long pagesRendered(Replica replica) throws Exception {
    HttpResponse<String> metrics =
        client.send(
            HttpRequest.newBuilder(URI.create(replica.base() + "/metrics")).GET().build(),
            HttpResponse.BodyHandlers.ofString());
    for (String line : metrics.body().split("\n")) {
      if (line.startsWith("soil_pages_rendered_total ")) {
        return Long.parseLong(line.substring(line.indexOf(' ') + 1).trim());
      }
    }
    throw new AssertionError("no soil_pages_rendered_total in the metrics of " + replica.name);
  }

  /** The replica that holds the role of github's pages, as the roles' key-value bucket says. */
  private static Replica holderOfGithubPages(NatsProcess nats, List<Replica> replicas)
      throws Exception {
    try (Connection connection = Nats.connect(nats.url())) {
      KeyValue leases = connection.keyValue(HostLeases.BUCKET);
      long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
      while (System.nanoTime() < deadline) {
        KeyValueEntry entry = leases.get(HostLeases.hostKey("github-jobs"));
        if (entry != null && entry.getValue() != null) {
          String holder = entry.getValueAsString();
          for (Replica r : replicas) {
            if (r.name.equals(holder)) {
              return r;
            }
          }
        }
        Thread.sleep(100);
      }
    }
    throw new AssertionError("no replica took the role of github's pages within a minute");
  }

  /** Waits until the bucket's pages are those of {@code site}; returns those that still differ. */
  private static List<String> awaitBucket(ObjectStore bucket, Path site) throws Exception {
    long deadline = System.nanoTime() + CONVERGE.toNanos();
    List<String> differ;
    do {
      differ = BucketChecks.pageDifferences(bucket, site);
      if (differ.isEmpty()) {
        return differ;
      }
      Thread.sleep(200);
    } while (System.nanoTime() < deadline);
    return differ;
  }

  /** Every page, status file and badge, read through each replica's HTTP: the same bytes. */
  private void assertSameOverHttp(List<Replica> replicas) throws Exception {
    Path site = replicas.get(0).site;
    List<String> paths;
    try (Stream<Path> files = Files.walk(site)) {
      paths =
          files
              .filter(Files::isRegularFile)
              .map(p -> site.relativize(p).toString())
              .filter(p -> !p.contains("/.") && !p.startsWith(".") && !p.contains(".tmp-"))
              .filter(
                  p ->
                      p.endsWith(".html")
                          || p.endsWith(".status.txt")
                          || p.endsWith(".svg")
                          || p.endsWith(".json"))
              .toList();
    }
    assertThat(paths).isNotEmpty();
    for (String path : paths) {
      byte[] first = null;
      for (Replica r : replicas) {
        HttpResponse<byte[]> answer =
            client.send(
                HttpRequest.newBuilder(URI.create(r.base() + "/" + path)).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(answer.statusCode()).as("%s from %s", path, r.name).isEqualTo(200);
        if (first == null) {
          first = answer.body();
        } else {
          assertThat(Arrays.equals(first, answer.body()))
              .as("%s from %s equals r1's", path, r.name)
              .isTrue();
        }
      }
    }
  }

  private List<String> differencesFromRegen(Replica replica) throws Exception {
    return SiteChecks.differencesFromRegen(
        replica.site,
        dir.resolve("regen"),
        dir.resolve("regen-state"),
        dir.resolve("regen.log"),
        JVM);
  }

  private static void awaitCondition(BooleanSupplier condition, String what)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("waited 3 minutes for " + what);
      }
      Thread.sleep(50);
    }
  }

  private static Thread started(Thread thread) {
    thread.setDaemon(true);
    thread.start();
    return thread;
  }

  private static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
