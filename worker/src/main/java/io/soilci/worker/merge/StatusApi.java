package io.soilci.worker.merge;

import io.soilci.result.JobName;
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
 * Reads a job's status API file ({@link SiteLayout#statusFile}): {@code "<max status> <job id>"}.
 */
final class StatusApi {
  private static final Pattern LINE = Pattern.compile("(\\d{1,3})(?:\\s+\\S+)?\\s*");
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

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

  JobState read(String job) {
    HttpRequest request = HttpRequest.newBuilder(url(job)).timeout(TIMEOUT).GET().build();
    HttpResponse<String> response;
    try {
      response = http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new WorkerFailure(
          "cannot read the status API at " + url(job) + ": " + e + "; check --server", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new WorkerFailure("interrupted while reading the status API", e);
    }
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

  private static String firstLine(String body) {
    String line = body.lines().findFirst().orElse("");
    return line.length() > 80 ? line.substring(0, 80) + "..." : line;
  }
}
