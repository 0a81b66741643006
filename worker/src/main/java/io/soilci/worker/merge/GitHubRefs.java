package io.soilci.worker.merge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.soilci.worker.WorkerFailure;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * Fast-forwards a branch with GitHub's REST API: {@code PATCH /repos/OWNER/REPO/git/refs/heads/B}
 * with {@code {"sha": SHA, "force": false}}; GitHub itself refuses a non-fast-forward (422).
 */
final class GitHubRefs implements BranchUpdate {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private final URI api;
  private final String repo;
  private final String token;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();

  GitHubRefs(URI api, String repo, String token) {
    this.api = api.toString().endsWith("/") ? api : URI.create(api + "/");
    this.repo = repo;
    this.token = token;
  }

  @Override
  public String describe(String branch) {
    return "GitHub " + repo + " branch " + branch;
  }

  @Override
  public void fastForward(String branch, String sha) {
    ObjectNode body = JSON.createObjectNode().put("sha", sha).put("force", false);
    HttpRequest request =
        HttpRequest.newBuilder(api.resolve("repos/" + repo + "/git/refs/heads/" + branch))
            .timeout(TIMEOUT)
            .header("Accept", "application/vnd.github+json")
            .header("Authorization", "Bearer " + token)
            .header("X-GitHub-Api-Version", "2022-11-28")
            .header("Content-Type", "application/json")
            .method("PATCH", HttpRequest.BodyPublishers.ofString(body.toString()))
            .build();
    HttpResponse<String> response = send(request);
    if (response.statusCode() == 200) {
      return;
    }
    throw new WorkerFailure(failure(branch, sha, response));
  }

  private String failure(String branch, String sha, HttpResponse<String> response) {
    String message = githubMessage(response.body());
    String where = describe(branch);
    return switch (response.statusCode()) {
      case 422 ->
          "refused: "
              + sha
              + " is not a fast-forward of "
              + where
              + " (GitHub: "
              + message
              + "); the branch moved on, run again on its new head";
      case 401, 403 ->
          "GitHub refused GITHUB_TOKEN for "
              + where
              + " (HTTP "
              + response.statusCode()
              + ": "
              + message
              + "); give the token contents: write permission";
      case 404 ->
          "GitHub has no "
              + where
              + " (HTTP 404: "
              + message
              + "); check --repo and --branch, and that the token can see the repository";
      default ->
          "GitHub API error updating " + where + ": HTTP " + response.statusCode() + ": " + message;
    };
  }

  private HttpResponse<String> send(HttpRequest request) {
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new WorkerFailure(
          "cannot reach the GitHub API at " + api + ": " + e + "; check --github-api", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new WorkerFailure("interrupted while calling the GitHub API", e);
    }
  }

  private static String githubMessage(String body) {
    try {
      JsonNode message = JSON.readTree(body).path("message");
      return message.isTextual() ? message.asText() : body.strip();
    } catch (IOException e) {
      return body.strip().lines().findFirst().orElse("(empty answer)");
    }
  }
}
