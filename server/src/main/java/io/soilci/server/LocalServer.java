package io.soilci.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.soilci.files.AtomicFiles;
import io.soilci.result.JobRef;
import io.soilci.server.auth.WorkerStore;
import io.soilci.server.config.Listen;
import io.soilci.server.state.StateLayout;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How {@code ingest} finds a server running on the same site: the server writes its address and a
 * key of its own to {@code STATE/server.json} (owner-only, never served) and removes it on stop.
 * The key opens {@code POST /ingest} from this machine and nothing else; it is no worker token.
 * Pages then stay with the one process that holds the site's index in memory.
 */
final class LocalServer {
  /** The worker an older server minted with every scope on each start; removed at start now. */
  static final String OLD_WORKER = "soil-server-local";

  private static final Logger LOG = LoggerFactory.getLogger(LocalServer.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final SecureRandom RANDOM = new SecureRandom();

  private LocalServer() {}

  /** A fresh key for {@code POST /ingest}, held only in memory and in {@code server.json}. */
  static String newKey() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /** Called by a server that started: writes its address and ingest key. */
  static void announce(StateLayout state, Listen listen, int port, String key) throws IOException {
    if (new WorkerStore(state).remove(OLD_WORKER)) {
      LOG.info("removed worker '{}' (all scopes) that an older version made", OLD_WORKER);
    }
    String host =
        listen.host().equals("0.0.0.0") || listen.host().equals("::") ? "127.0.0.1" : listen.host();
    String url = "http://" + new Listen(host, port) + "/ingest";
    Path target = state.localServer();
    Files.createDirectories(state.root());
    AtomicFiles.writePrivate(target, JSON.writeValueAsBytes(Map.of("url", url, "key", key)));
  }

  static void withdraw(StateLayout state) throws IOException {
    Files.deleteIfExists(state.localServer());
  }

  /**
   * Asks the running server, if any, to read the job's run from its files and update the pages
   * ({@code POST /ingest}). Empty if no server answered.
   */
  static Optional<String> updatePages(StateLayout state, JobRef job) {
    try {
      if (!Files.exists(state.localServer())) {
        return Optional.empty();
      }
      JsonNode server = JSON.readTree(state.localServer().toFile());
      String url = server.path("url").asText();
      String query =
          "?workerHost="
              + job.host().id()
              + "&runId="
              + job.run().value()
              + "&jobName="
              + job.job().value();
      HttpRequest request =
          HttpRequest.newBuilder(URI.create(url + query))
              .timeout(Duration.ofSeconds(60))
              .header("Authorization", "Bearer " + server.path("key").asText())
              .POST(HttpRequest.BodyPublishers.noBody())
              .build();
      HttpResponse<String> response =
          HttpClient.newBuilder()
              .connectTimeout(Duration.ofSeconds(5))
              .build()
              .send(request, HttpResponse.BodyHandlers.ofString());
      return response.statusCode() == 200 ? Optional.of(url) : Optional.empty();
    } catch (IOException | IllegalArgumentException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }
}
