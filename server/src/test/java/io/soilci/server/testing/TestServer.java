package io.soilci.server.testing;

import io.soilci.server.SoilServer;
import io.soilci.server.auth.Scope;
import io.soilci.server.auth.Worker;
import io.soilci.server.auth.WorkerStore;
import io.soilci.server.config.Limits;
import io.soilci.server.config.Listen;
import io.soilci.server.config.ServerConfig;
import io.soilci.server.state.StateLayout;
import io.soilci.server.storage.ObjectStore;
import io.soilci.server.storage.StorageSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * A real server on 127.0.0.1, port 0, over a temp site with three workers: {@link #github}
 * (github-jobs, status-api), {@link #sourcehut} (sourcehut-jobs) and {@link #statusOnly}.
 */
public final class TestServer implements AutoCloseable {
  private static final long PAGES_WAIT_MILLIS = 60_000;

  public final Path site;
  public final Path state;
  public final String github;
  public final String sourcehut;
  public final String statusOnly;
  public final SoilServer server;
  private final HttpClient client =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private TestServer(
      Path dir, boolean fixtures, UnaryOperator<ServerConfig> tweak, SoilServer.Buckets buckets)
      throws IOException {
    // A replica may be started again on its folders: its workers get new tokens then.
    boolean replace = buckets != NO_BUCKET;
    site = Files.createDirectories(dir.resolve("site"));
    if (fixtures) {
      SiteTrees.copyFixtures(site);
    }
    state = dir.resolve("state");
    WorkerStore workers = new WorkerStore(new StateLayout(state), 1000);
    github = bearer(workers, "gh", Set.of(Scope.GITHUB_JOBS, Scope.STATUS_API), replace);
    sourcehut = bearer(workers, "srht", Set.of(Scope.SOURCEHUT_JOBS), replace);
    statusOnly = bearer(workers, "status", Set.of(Scope.STATUS_API), replace);
    ServerConfig config =
        ServerConfig.defaults(site).withState(state).withListen(new Listen("127.0.0.1", 0));
    server = SoilServer.start(tweak.apply(config), buckets);
  }

  private static String bearer(WorkerStore workers, String name, Set<Scope> scopes, boolean replace)
      throws IOException {
    return "Bearer " + name + ":" + workers.add(new Worker(name, scopes), replace);
  }

  /** Starts a server over an empty {@code dir/site}. */
  public static TestServer start(Path dir, UnaryOperator<ServerConfig> tweak) throws IOException {
    return new TestServer(dir, false, tweak, NO_BUCKET);
  }

  /**
   * Starts a replica of the distributed mode over {@code dir/site} (empty, or what it left when it
   * stopped: then with new tokens), its object store opened by {@code buckets} (a folder shared by
   * the replicas of a test).
   */
  public static TestServer start(
      Path dir, UnaryOperator<ServerConfig> tweak, SoilServer.Buckets buckets) throws IOException {
    return new TestServer(dir, false, tweak, buckets);
  }

  public static TestServer start(Path dir) throws IOException {
    return new TestServer(dir, false, c -> c, NO_BUCKET);
  }

  private static final SoilServer.Buckets NO_BUCKET = TestServer::noBucket;

  private static ObjectStore noBucket(StorageSettings storage) {
    throw new IllegalStateException("this test server has no object store: " + storage);
  }

  /** Starts a server over {@code dir/site} holding the original Soil's fixture files. */
  public static TestServer withFixtures(Path dir, UnaryOperator<ServerConfig> tweak)
      throws IOException {
    return new TestServer(dir, true, tweak, NO_BUCKET);
  }

  public static TestServer withFixtures(Path dir) throws IOException {
    return new TestServer(dir, true, c -> c, NO_BUCKET);
  }

  /** Adds worker {@code name} with {@code scopes}; returns its {@code Authorization} header. */
  public String addWorker(String name, Scope... scopes) throws IOException {
    return bearer(new WorkerStore(new StateLayout(state), 1000), name, Set.of(scopes), false);
  }

  /** Default limits with a few changed. */
  public static UnaryOperator<ServerConfig> limits(UnaryOperator<Limits> change) {
    return c -> c.withLimits(change.apply(c.limits()));
  }

  public int port() {
    return server.port();
  }

  public URI uri(String pathAndQuery) {
    return URI.create("http://127.0.0.1:" + port() + pathAndQuery);
  }

  /**
   * Sends a POST and, as every POST through this helper, waits until the pages it changed are
   * written ({@link #awaitPagesWritten}): tests read the site's files directly, and an event's
   * pages are written after its answer.
   */
  public HttpResponse<String> post(String pathAndQuery, String authorization, Multipart body) {
    return sendAndAwaitPages(
        HttpRequest.newBuilder(uri(pathAndQuery))
            .header("Authorization", authorization)
            .header("Content-Type", body.contentType())
            .POST(HttpRequest.BodyPublishers.ofByteArray(body.bytes()))
            .build());
  }

  /** As {@link #post(String, String, Multipart)}, without a body. */
  public HttpResponse<String> post(String pathAndQuery, String authorization) {
    return sendAndAwaitPages(
        HttpRequest.newBuilder(uri(pathAndQuery))
            .header("Authorization", authorization)
            .POST(HttpRequest.BodyPublishers.noBody())
            .build());
  }

  public HttpResponse<String> get(String path) {
    return send(HttpRequest.newBuilder(uri(path)).GET().build());
  }

  public HttpClient client() {
    return client;
  }

  public HttpResponse<String> send(HttpRequest request) {
    try {
      return client.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private HttpResponse<String> sendAndAwaitPages(HttpRequest request) {
    HttpResponse<String> answer = send(request);
    awaitPagesWritten();
    return answer;
  }

  /**
   * Waits until the pages of every event answered so far are written (a read through HTTP waits by
   * itself; a test reading the files does not).
   */
  public void awaitPagesWritten() {
    try {
      if (!server.awaitPagesWritten(PAGES_WAIT_MILLIS)) {
        throw new IllegalStateException(
            "pages still not written after " + PAGES_WAIT_MILLIS + " ms");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** The three files of a fixture job as a {@code /results} body. */
  public static Multipart fixtureJob(String runDir, String job) {
    return new Multipart()
        .file("wwz", job + ".wwz", SiteTrees.fixture(runDir + "/" + job + ".wwz"))
        .file("tsv", job + ".tsv", SiteTrees.fixture(runDir + "/" + job + ".tsv"))
        .file("json", job + ".json", SiteTrees.fixture(runDir + "/" + job + ".json"));
  }

  @Override
  public void close() {
    server.close();
  }
}
