package io.soilci.worker.merge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import io.soilci.result.JobName;
import io.soilci.result.RunId;
import io.soilci.result.SiteLayout;
import io.soilci.result.WorkerHost;
import io.soilci.worker.WorkerFailure;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a run's status API: each job's file ({@link SiteLayout#statusFile}, {@code "<max status>
 * <job id>"}), the run's summary ({@link SiteLayout#statusJson}) and the host's index.
 */
final class StatusApi {
  private static final Pattern LINE = Pattern.compile("(\\d{1,3})(?:\\s+\\S+)?\\s*");
  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final URI base;
  private final String runId;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();

  StatusApi(URI base, String runId) {
    this.base = base;
    this.runId = runId;
  }

  URI url(String job) {
    return base.resolve(SiteLayout.statusFile(WorkerHost.GITHUB, runId, new JobName(job)));
  }

  /** Where the run's jobs are looked for: {@code SERVER/status-api/github/RUN/}. */
  URI runUrl() {
    return base.resolve(SiteLayout.statusDir(WorkerHost.GITHUB, runId) + "/");
  }

  String runId() {
    return runId;
  }

  /** The run page of the run's jobs, from the run's summary; else the host's index page. */
  URI runPage() {
    URI hostIndex = base.resolve(SiteLayout.hostDir(WorkerHost.GITHUB) + "/");
    JsonNode jobs;
    try {
      jobs = json(base.resolve(SiteLayout.statusJson(WorkerHost.GITHUB, runId))).path("jobs");
    } catch (WorkerFailure e) {
      return hostIndex; // only a link: a status is posted (and the merge goes on) without it
    }
    for (JsonNode job : jobs) {
      if (job.path("run").isTextual() && SiteLayout.isRunName(job.path("run").asText())) {
        return base.resolve(
            SiteLayout.runDir(WorkerHost.GITHUB, new RunId(job.path("run").asText())) + "/");
      }
    }
    return hostIndex;
  }

  /**
   * How many runs the server's index of GitHub runs lists, when the run's summary is missing (no
   * job of this run is known to the server); 0 when it is there or the index is unreadable.
   */
  int otherRunsWhenThisIsUnknown() {
    if (get(base.resolve(SiteLayout.statusJson(WorkerHost.GITHUB, runId))).statusCode() != 404) {
      return 0;
    }
    return json(base.resolve(SiteLayout.hostJson(WorkerHost.GITHUB))).path("runCount").asInt(0);
  }

  JobState read(String job) {
    HttpResponse<String> response = get(url(job));
    if (response.statusCode() == 404) {
      return JobState.missing(job);
    }
    if (response.statusCode() != 200) {
      return JobState.errored(job, "HTTP " + response.statusCode() + " from " + url(job));
    }
    Matcher m = LINE.matcher(response.body());
    if (!m.matches()) {
      return JobState.errored(job, "'" + firstLine(response.body()) + "' from " + url(job));
    }
    return JobState.reported(job, Integer.parseInt(m.group(1)));
  }

  private HttpResponse<String> get(URI url) {
    HttpRequest request = HttpRequest.newBuilder(url).timeout(TIMEOUT).GET().build();
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new WorkerFailure(
          "cannot read the status API at " + url + ": " + e + "; check --server", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new WorkerFailure("interrupted while reading the status API", e);
    }
  }

  /** The JSON at {@code url}; a missing node when it is not there or not JSON. */
  private JsonNode json(URI url) {
    HttpResponse<String> response = get(url);
    if (response.statusCode() != 200) {
      return MissingNode.getInstance();
    }
    try {
      return JSON.readTree(response.body());
    } catch (IOException e) {
      return MissingNode.getInstance();
    }
  }

  private static String firstLine(String body) {
    String line = body.lines().findFirst().orElse("");
    return line.length() > 80 ? line.substring(0, 80) + "..." : line;
  }
}
