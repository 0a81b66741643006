package io.soilci.worker.publish;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.soilci.result.JobRef;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * GitHub commit statuses ({@code POST /repos/OWNER/REPO/statuses/SHA}): a job's (context {@code
 * soil/JOB}, linking to the job on its run page) and a run's ({@code soil/run}, posted by
 * maybe-merge). Posting never fails a job or a merge: a problem is one warning line.
 */
public final class GitHubStatus {
  /** The longest description GitHub takes. */
  private static final int MAX_DESCRIPTION = 140;

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration TIMEOUT = Duration.ofSeconds(15);

  private final URI api;
  private final String repo;
  private final String sha;
  private final String token;

  private GitHubStatus(URI api, String repo, String sha, String token) {
    this.api = api.toString().endsWith("/") ? api : URI.create(api + "/");
    this.repo = repo;
    this.sha = sha;
    this.token = token;
  }

  /**
   * From the CI's environment: {@code GITHUB_TOKEN}, {@code GITHUB_REPOSITORY}, the commit ({@code
   * GITHUB_PR_HEAD_SHA} for a pull request, else {@code GITHUB_SHA}) and the API ({@code api}, else
   * {@code GITHUB_API_URL}, else https://api.github.com). Empty, with the reason on {@code
   * warnings}, when one is missing.
   */
  static Optional<GitHubStatus> from(Map<String, String> env, URI api, PrintWriter warnings) {
    String token = env.getOrDefault("GITHUB_TOKEN", "");
    String repo = env.getOrDefault("GITHUB_REPOSITORY", "");
    String sha = env.getOrDefault("GITHUB_PR_HEAD_SHA", "");
    if (sha.isEmpty()) {
      sha = env.getOrDefault("GITHUB_SHA", "");
    }
    String missing =
        token.isBlank()
            ? "GITHUB_TOKEN"
            : repo.isBlank() ? "GITHUB_REPOSITORY" : sha.isBlank() ? "GITHUB_SHA" : "";
    if (!missing.isEmpty()) {
      warnings.println(
          "soil-worker: warning: no commit status posted: "
              + missing
              + " is not set (pass it to the step's environment)");
      return Optional.empty();
    }
    return Optional.of(new GitHubStatus(api, repo, sha, token));
  }

  /** For {@code repo}'s commit {@code sha}, posted with {@code token}. */
  public static GitHubStatus of(URI api, String repo, String sha, String token) {
    return new GitHubStatus(api, repo, sha, token);
  }

  /** The API base: {@code option}, else {@code GITHUB_API_URL}, else GitHub's. */
  public static URI api(Optional<String> option, Map<String, String> env) {
    return URI.create(
        option.orElse(env.getOrDefault("GITHUB_API_URL", "https://api.github.com")).strip());
  }

  /**
   * Posts the job's state: {@code success} for status 0, {@code failure} otherwise, {@code error}
   * when its results were not published (the link would lead nowhere).
   */
  void post(JobRef job, URI page, int status, boolean published, PrintWriter warnings) {
    String state = !published ? "error" : status == 0 ? "success" : "failure";
    String description =
        !published
            ? "the results were not published"
            : status == 0 ? "passed" : "failed (exit status " + status + ")";
    post("soil/" + job.job().value(), state, description, page, warnings);
  }

  /**
   * Posts {@code state} ({@code success}, {@code failure}, {@code error}) under {@code context},
   * linking {@code target}; a description over {@link #MAX_DESCRIPTION} characters is cut with …
   */
  public void post(
      String context, String state, String description, URI target, PrintWriter warnings) {
    ObjectNode body =
        JSON.createObjectNode()
            .put("state", state)
            .put("target_url", target.toString())
            .put("description", cut(description))
            .put("context", context);
    URI url = api.resolve("repos/" + repo + "/statuses/" + sha);
    HttpRequest request =
        HttpRequest.newBuilder(url)
            .timeout(TIMEOUT)
            .header("Accept", "application/vnd.github+json")
            .header("Authorization", "Bearer " + token)
            .header("X-GitHub-Api-Version", "2022-11-28")
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
            .build();
    try {
      HttpResponse<String> response =
          HttpClient.newBuilder()
              .connectTimeout(TIMEOUT)
              .build()
              .send(request, HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 201) {
        warnings.println(
            "soil-worker: warning: commit status "
                + context
                + " not posted: "
                + url
                + " answered HTTP "
                + response.statusCode()
                + " ("
                + firstLine(response.body())
                + "); the token needs statuses: write permission");
      }
    } catch (IOException e) {
      warnings.println(
          "soil-worker: warning: commit status "
              + context
              + " not posted: cannot reach "
              + url
              + " ("
              + e
              + "); check --github-api");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      warnings.println("soil-worker: warning: interrupted while posting the commit status");
    }
  }

  private static String cut(String description) {
    if (description.codePointCount(0, description.length()) <= MAX_DESCRIPTION) {
      return description;
    }
    return description.substring(0, description.offsetByCodePoints(0, MAX_DESCRIPTION - 1)) + "…";
  }

  private static String firstLine(String body) {
    String line = body.strip().lines().findFirst().orElse("");
    return line.length() > 200 ? line.substring(0, 200) + "..." : line;
  }
}
