package io.soilci.worker.publish;

import io.soilci.result.JobFile;
import io.soilci.result.JobRef;
import io.soilci.result.WorkerHost;
import io.soilci.worker.WorkerFailure;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublisher;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/**
 * The worker's side of a Soil server's write API: {@code POST /results} with retries and {@code
 * POST /event} once. Every request carries the worker's token; 4xx answers stop at once with the
 * server's own one-line reason.
 */
final class SoilServer {
  private static final Map<JobFile, String> CONTENT_TYPES =
      Map.of(
          JobFile.WWZ, "application/zip",
          JobFile.TSV, "text/tab-separated-values",
          JobFile.JSON, "application/json");

  private final URI base;
  private final Token token;
  private final HttpClient http;
  private final Duration connectTimeout;
  private final PrintWriter warnings;

  /** {@code warnings} hears of attempts that failed and are tried again: the command's stderr. */
  public SoilServer(URI base, Token token, Duration connectTimeout, PrintWriter warnings) {
    this.base = ServerUri.normalize(base);
    this.token = token;
    this.http = HttpClient.newBuilder().connectTimeout(connectTimeout).build();
    this.connectTimeout = connectTimeout;
    this.warnings = warnings;
  }

  PrintWriter warnings() {
    return warnings;
  }

  public URI base() {
    return base;
  }

  /**
   * Uploads the job's three files (the JSON last), trying again on connection errors and 5xx
   * answers as {@code retry} allows. Publishing the same job again replaces it on the server.
   */
  public void publish(JobRef job, JobFiles files, RetryPolicy retry) {
    files.requireAll();
    String query =
        "results?jobName="
            + job.job().value()
            + "&workerHost="
            + job.host().id()
            + "&runId="
            + job.run().value();
    new RetryingCall(this, "publish " + job, retry)
        .run(timeout -> postResults(query, files, timeout));
  }

  /** Sends one event, once, waiting at most {@code timeout}: the server's answer or why none. */
  Answer sendOnce(Event event, Duration timeout) {
    return post("event?" + event.query(), BodyPublishers.noBody(), "text/plain", timeout);
  }

  /** Sends one event, trying again as {@code retry} allows. */
  public void send(Event event, RetryPolicy retry) {
    new RetryingCall(this, "send " + event, retry)
        .run(
            timeout ->
                post("event?" + event.query(), BodyPublishers.noBody(), "text/plain", timeout));
  }

  /**
   * Asks whether the token may publish {@code host}'s jobs (and, with {@code updateStatusApi},
   * write status files): {@code POST /credentials}, which changes nothing on the server.
   */
  Answer checkCredentials(WorkerHost host, boolean updateStatusApi, Duration timeout) {
    String query =
        "credentials?workerHost=" + host.id() + (updateStatusApi ? "&updateStatusApi=1" : "");
    return post(query, BodyPublishers.noBody(), "text/plain", timeout);
  }

  private Answer postResults(String query, JobFiles files, Duration timeout) throws IOException {
    Multipart body = new Multipart();
    for (JobFile kind : JobFile.values()) {
      body.file(
          kind.kind(),
          files.file(kind),
          CONTENT_TYPES.getOrDefault(kind, "application/octet-stream"));
    }
    return post(query, body.body(), body.contentType(), timeout);
  }

  Answer post(String pathAndQuery, BodyPublisher body, String contentType, Duration timeout) {
    HttpRequest request =
        HttpRequest.newBuilder(base.resolve(pathAndQuery))
            .timeout(timeout)
            .header("Authorization", token.authorization())
            .header("Content-Type", contentType)
            .header("User-Agent", "soil-worker")
            .POST(body)
            .build();
    try {
      HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
      return Answer.of(response);
    } catch (IOException e) {
      return Answer.unreachable(
          base,
          e,
          connectTimeout,
          () -> TlsProbe.answersHandshake(base),
          () -> TlsProbe.acceptsConnections(base));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new WorkerFailure("interrupted while sending to " + base, e);
    }
  }
}
