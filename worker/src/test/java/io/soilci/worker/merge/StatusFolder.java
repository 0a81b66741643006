package io.soilci.worker.merge;

import io.soilci.worker.LoopbackHttp;
import io.soilci.worker.LoopbackHttp.Reply;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A status API served from a folder by a real HTTP server, as the Soil server lays it out. */
final class StatusFolder implements AutoCloseable {
  final Path root;
  final LoopbackHttp http;

  StatusFolder(Path root) throws IOException {
    this.root = root;
    this.http =
        new LoopbackHttp(
            request -> {
              Path file = root.resolve(request.pathAndQuery().substring(1)).normalize();
              if (!file.startsWith(root) || !Files.isRegularFile(file)) {
                return Reply.of(404, "not found");
              }
              return Reply.of(200, Files.readString(file));
            });
  }

  void report(String runId, String job, String line) throws IOException {
    Path file = root.resolve("status-api/github/" + runId + "/" + job + ".status.txt");
    Files.createDirectories(file.getParent());
    Files.writeString(file, line + "\n");
  }

  /** The run's summary, as the server writes it: each job with its run folder. */
  void summary(String runId, String job, String runFolder) throws IOException {
    Path file = root.resolve("status-api/github/" + runId + "/index.json");
    Files.createDirectories(file.getParent());
    Files.writeString(
        file, "{\"jobs\": [{\"job\": \"" + job + "\", \"run\": \"" + runFolder + "\"}]}\n");
  }

  String url() {
    return http.uri().toString();
  }

  @Override
  public void close() {
    http.close();
  }
}
