package io.soilci.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Over HTTP, against a real server with a 2 s job lease: a job whose worker falls silent ends as
 * lost (run page, JSON, job-failed hook), a job whose worker sends live log chunks stays running, a
 * late event is answered 409, the real files uploaded later win, and a job left running across a
 * restart still ends as lost. A start event's commit facts show on the running run's page.
 */
class JobLeaseIT {
  private static final String COMMIT = "89abcdef0123456789abcdef0123456789abcdef";
  private static final Duration WAIT = Duration.ofSeconds(20);

  @TempDir Path tmp;

  private final HttpClient client =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @Test
  void aSilentJobEndsAsLostAndAJobThatSendsItsLogStaysRunning() throws Exception {
    Path hookLog = tmp.resolve("hooks.txt");
    String hook =
        "printf '%s %s %s %s\\\\n' \\\"$SOIL_EVENT\\\" \\\"$SOIL_JOB\\\" \\\"$SOIL_STATUS\\\""
            + " \\\"$SOIL_STATUS_TEXT\\\" >> '"
            + hookLog
            + "'";
    try (ServerProcess server =
        new ServerProcess(
            Files.createDirectories(tmp.resolve("s")),
            "\"jobLeaseSeconds\": 2, \"hooks\": {\"job-failed\": \"" + hook + "\"}")) {
      assertThat(event(server, "start", "silent", Map.of("GITHUB_RUN_ID", "9041")).statusCode())
          .isEqualTo(200);
      assertThat(event(server, "start", "talking", Map.of()).statusCode()).isEqualTo(200);
      // This one's worker said it writes the job's status file: lost, the server writes it.
      assertThat(
              event(
                      server,
                      "start",
                      "reporting",
                      Map.of("GITHUB_RUN_ID", "9041", "updateStatusApi", "1"))
                  .statusCode())
          .isEqualTo(200);
      assertThat(event(server, "task-start", "talking", Map.of("task", "build")).statusCode())
          .isEqualTo(200);

      // The talking job's worker sends a log chunk every 0.5 s for 5 s: more than twice the lease.
      long until = System.nanoTime() + Duration.ofSeconds(5).toNanos();
      while (System.nanoTime() < until) {
        HttpResponse<String> log = log(server, "talking", "build", "line\n");
        assertThat(log.statusCode()).as(log.body()).isEqualTo(200);
        Thread.sleep(500);
      }

      String html = server.page("github-jobs/41/index.html");
      assertThat(html).contains("running build").contains("lost: no word from its worker since");
      String json = server.page("github-jobs/41/json/index.json");
      assertThat(json).contains("lost: no word from its worker since");
      String status = server.page("status-api/github/9041/index.json");
      assertThat(status).contains("lost: no word from its worker since").contains("\"fail\"");
      CancelledJobIT.awaitContains(hookLog, "job-failed silent 255 lost: no word", WAIT);
      assertThat(server.site.resolve("status-api/github/9041/reporting.status.txt"))
          .content()
          .startsWith("255 ");
      assertThat(server.site.resolve("status-api/github/9041/silent.status.txt")).doesNotExist();

      HttpResponse<String> late =
          event(
              server,
              "task-done",
              "silent",
              Map.of("task", "unit", "status", "0", "elapsed", "1.5"));
      assertThat(late.statusCode()).isEqualTo(409);
      assertThat(late.body().strip())
          .startsWith("github-jobs/41/silent is lost: no word from its worker since ")
          .contains(", declared lost at ")
          .contains("(lease 2 s, config jobLeaseSeconds); a late task-done event is refused:")
          .endsWith("or send a start event to run it again");

      // The real results, uploaded after all, win.
      Path files = JobDir.write(tmp.resolve("files"), "silent", 41, 0, 0);
      Processes.Result upload =
          Processes.run(
              tmp,
              Map.of(),
              60,
              "curl",
              "-sS",
              "-o",
              tmp.resolve("upload.txt").toString(),
              "-w",
              "%{http_code}",
              "-H",
              "Authorization: Bearer " + server.token,
              "-F",
              "wwz=@" + files + ".wwz",
              "-F",
              "tsv=@" + files + ".tsv",
              "-F",
              "json=@" + files + ".json",
              server.uri() + "results?workerHost=github&runId=41&jobName=silent");
      assertThat(upload.output()).as(Files.readString(tmp.resolve("upload.txt"))).isEqualTo("200");
      assertThat(Files.readString(tmp.resolve("upload.txt")))
          .startsWith("stored github-jobs/41/silent");
      assertThat(statusTextOf(server, "silent")).doesNotContain("lost");
      assertThat(statusTextOf(server, "reporting")).startsWith("lost: no word");
    }
  }

  /** The job's status text in run 41's JSON. */
  private static String statusTextOf(ServerProcess server, String job) throws Exception {
    var run =
        new com.fasterxml.jackson.databind.ObjectMapper()
            .readTree(server.site.resolve("github-jobs/41/json/index.json").toFile());
    for (var entry : run.path("jobs")) {
      if (entry.path("job").asText().equals(job)) {
        return entry.path("statusText").asText();
      }
    }
    throw new AssertionError("no job " + job + " in run 41's JSON: " + run);
  }

  @Test
  void aJobLeftRunningAcrossARestartStillEndsAsLost() throws Exception {
    ServerProcess server =
        new ServerProcess(Files.createDirectories(tmp.resolve("s")), "\"jobLeaseSeconds\": 2");
    try {
      assertThat(event(server, "start", "orphan", Map.of()).statusCode()).isEqualTo(200);
      server.close();
      Thread.sleep(3000);
      server = server.restarted();
      Path page = server.site.resolve("github-jobs/41/index.html");
      CancelledJobIT.awaitContains(page, "lost: no word from its worker since", WAIT);
    } finally {
      server.close();
    }
  }

  @Test
  void aRunningRunShowsTheCommitItsStartEventNamed() throws Exception {
    try (ServerProcess server = new ServerProcess(Files.createDirectories(tmp.resolve("s")))) {
      Map<String, String> facts = new LinkedHashMap<>();
      facts.put("commit-hash", COMMIT);
      facts.put("commit-date", "2026-11-30T09:15:00+01:00");
      facts.put("commit-line", "Make the <parser> faster");
      facts.put("GITHUB_REF", "refs/heads/fast-parser");
      HttpResponse<String> start = event(server, "start", "cpp", facts);
      assertThat(start.statusCode()).as(start.body()).isEqualTo(200);

      String html = server.page("github-jobs/41/index.html");
      assertThat(html)
          .contains("running")
          .contains(COMMIT.substring(0, 8))
          .contains("Make the &lt;parser&gt; faster")
          .contains("fast-parser")
          .contains("data-wall-since=\"");
      assertThat(server.page("github-jobs/index.html")).contains("Make the &lt;parser&gt; faster");

      HttpResponse<String> bad = event(server, "start", "cpp", Map.of("commit-date", "yesterday"));
      assertThat(bad.statusCode()).isEqualTo(400);
      assertThat(bad.body()).contains("commit-date 'yesterday' must be an ISO 8601 date");
    }
  }

  private HttpResponse<String> event(
      ServerProcess server, String name, String job, Map<String, String> more) throws Exception {
    Map<String, String> params = new LinkedHashMap<>();
    params.put("eventName", name);
    params.put("workerHost", "github");
    params.put("runId", "41");
    params.put("jobName", job);
    params.putAll(more);
    return post(server, "event?" + query(params), HttpRequest.BodyPublishers.noBody());
  }

  private HttpResponse<String> log(ServerProcess server, String job, String task, String text)
      throws Exception {
    Map<String, String> params =
        Map.of("workerHost", "github", "runId", "41", "jobName", job, "task", task);
    return post(server, "log?" + query(params), HttpRequest.BodyPublishers.ofString(text));
  }

  private HttpResponse<String> post(
      ServerProcess server, String path, HttpRequest.BodyPublisher body) throws Exception {
    return client.send(
        HttpRequest.newBuilder(URI.create(server.uri() + path))
            .header("Authorization", "Bearer " + server.token)
            .timeout(Duration.ofSeconds(20))
            .POST(body)
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static String query(Map<String, String> params) {
    return params.entrySet().stream()
        .map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
        .collect(Collectors.joining("&"));
  }
}
