package io.soilci.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.soilci.files.AtomicFiles;
import io.soilci.result.JobRef;
import io.soilci.server.auth.Scope;
import io.soilci.server.auth.Worker;
import io.soilci.server.auth.WorkerStore;
import io.soilci.server.config.Listen;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;

/**
 * How {@code ingest} finds a server running on the same site: the server writes its address and a
 * token of its own to {@code STATE/server.json} (owner-only, never served) and removes it on stop.
 * Pages then stay with the one process that holds the site's index in memory.
 */
final class LocalServer {
  static final String WORKER = "soil-server-local";
  private static final ObjectMapper JSON = new ObjectMapper();

  private LocalServer() {}

  private static Path file(Path state) {
    return state.resolve("server.json");
  }

  /** Called by a server that started: makes its own token and writes the file. */
  static void announce(Path state, Listen listen, int port) throws IOException {
    // Its secret sits in plain text beside the hash (server.json), so a slow hash adds nothing.
    String secret =
        new WorkerStore(state, 1000).add(new Worker(WORKER, EnumSet.allOf(Scope.class)), true);
    String host =
        listen.host().equals("0.0.0.0") || listen.host().equals("::") ? "127.0.0.1" : listen.host();
    String url = "http://" + new Listen(host, port) + "/uuu/wwup.cgi";
    Path target = file(state);
    AtomicFiles.write(
        target, JSON.writeValueAsBytes(Map.of("url", url, "token", WORKER + ":" + secret)));
    try {
      Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException e) {
      // Not a POSIX file system: the state folder's own permissions apply.
    }
  }

  static void withdraw(Path state) throws IOException {
    Files.deleteIfExists(file(state));
  }

  /**
   * Asks the running server, if any, to read the job's run from its files and update the pages
   * ({@code run-hook=soil-event-job-done}). Empty if no server answered.
   */
  static Optional<String> updatePages(Path state, JobRef job) {
    try {
      if (!Files.exists(file(state))) {
        return Optional.empty();
      }
      JsonNode server = JSON.readTree(file(state).toFile());
      String url = server.path("url").asText();
      HttpRequest request = runHook(url, server.path("token").asText(), job);
      HttpResponse<String> response =
          HttpClient.newBuilder()
              .connectTimeout(Duration.ofSeconds(5))
              .build()
              .send(request, HttpResponse.BodyHandlers.ofString());
      return response.statusCode() == 200 ? Optional.of(url) : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  private static HttpRequest runHook(String url, String token, JobRef job) {
    String boundary = "soil-ingest-" + System.nanoTime();
    StringBuilder body = new StringBuilder();
    field(body, boundary, "run-hook", "soil-event-job-done");
    field(body, boundary, "arg1", job.host().prefix());
    field(body, boundary, "arg2", job.run().value());
    body.append("--").append(boundary).append("--\r\n");
    return HttpRequest.newBuilder(URI.create(url))
        .timeout(Duration.ofSeconds(60))
        .header("Authorization", "Bearer " + token)
        .header("Content-Type", "multipart/form-data; boundary=" + boundary)
        .POST(HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8))
        .build();
  }

  private static void field(StringBuilder body, String boundary, String name, String value) {
    body.append("--")
        .append(boundary)
        .append("\r\n")
        .append("Content-Disposition: form-data; name=\"")
        .append(name)
        .append("\"\r\n\r\n")
        .append(value)
        .append("\r\n");
  }
}
