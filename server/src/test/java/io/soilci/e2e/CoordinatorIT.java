package io.soilci.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The coordinator with real processes on 127.0.0.1: a server, agents started from the worker's jar
 * (local provider), a git repository they clone, jobs submitted with {@code soil-worker submit} or
 * the HTTP API; agents and the server killed with SIGKILL.
 */
class CoordinatorIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration DEADLINE = Duration.ofSeconds(150);
  private static final String CONFIG =
      "\"coordinator\": {\"leaseSeconds\": 10, \"maxAttempts\": 2, \"maxQueuedJobs\": 20}";

  /** One failed login for a worker name, and its next one is 429 for the rest of 20 s. */
  private static final String LOGIN_LIMIT =
      ", \"guards\": {\"loginFailuresPerName\": 1, \"loginFailureWindowSeconds\": 20}";

  /** A status 429 in a line (not a port that has those digits). */
  private static final Pattern STATUS_429 = Pattern.compile("\\b429\\b");

  @TempDir Path tmp;
  private final HttpClient http = HttpClient.newHttpClient();
  private final List<Process> agents = new ArrayList<>();
  private Path repo;
  private Path marks;
  private String commit;

  @BeforeEach
  void repository() throws Exception {
    repo = Files.createDirectories(tmp.resolve("repo"));
    marks = Files.createDirectories(tmp.resolve("marks"));
    Files.createDirectories(repo.resolve("ci"));
    // First run of "slow" on any agent: leaves its pid and hangs; every later run passes at once.
    Path slow =
        Files.writeString(
            repo.resolve("ci/slow.sh"),
            "#!/bin/sh\n"
                + "if mkdir \"$MARKS/$1\" 2>/dev/null; then echo $$ > \"$MARKS/$1/pid\";"
                + " echo hanging; sleep 600; fi\necho done\n");
    slow.toFile().setExecutable(true);
    Path quick = Files.writeString(repo.resolve("ci/quick.sh"), "#!/bin/sh\necho \"quick $1\"\n");
    quick.toFile().setExecutable(true);
    // Leaves its pid as MARKS/NAME.pid and hangs.
    Path hang =
        Files.writeString(
            repo.resolve("ci/hang.sh"),
            "#!/bin/sh\necho $$ > \"$MARKS/$1.pid\"; echo hanging; sleep 600\n");
    hang.toFile().setExecutable(true);
    Git git = new Git(repo);
    git.run("init", "-q", "-b", "main");
    git.run("add", ".");
    git.run("commit", "-q", "-m", "jobs for agents");
    commit = git.run("rev-parse", "HEAD").strip();
  }

  @AfterEach
  void stopAgents() throws Exception {
    for (Process agent : agents) {
      agent.destroyForcibly();
      agent.waitFor(30, TimeUnit.SECONDS);
    }
    // Tasks of killed agents that still hang (their supervisor waits on them): end their groups.
    try (var dirs = Files.list(marks)) {
      for (Path dir : dirs.toList()) {
        Path pid = dir.toString().endsWith(".pid") ? dir : dir.resolve("pid");
        if (!Files.exists(pid)) {
          continue;
        }
        String id = Files.readString(pid).strip();
        String command;
        try {
          command = Files.readString(Path.of("/proc", id, "cmdline"));
        } catch (IOException gone) {
          continue;
        }
        // Only a task of ours: a task killed already may have left its pid to another process.
        if (id.matches("[1-9][0-9]*") && command.matches("(?s).*ci/(slow|hang)\\.sh.*")) {
          new ProcessBuilder("kill", "-KILL", "-" + id).start().waitFor(10, TimeUnit.SECONDS);
        }
      }
    }
  }

  private Process agent(ServerProcess server, String name, String labels, int capacity)
      throws Exception {
    return agent(server, name, labels, capacity, "agent,github-jobs");
  }

  private Process agent(
      ServerProcess server, String name, String labels, int capacity, String scopes)
      throws Exception {
    String token = server.addWorker(name, scopes);
    Path log = tmp.resolve(name + ".log");
    ProcessBuilder builder =
        new ProcessBuilder(
                "java",
                "-jar",
                Repo.WORKER_JAR.toString(),
                "agent",
                "--server",
                server.uri().toString(),
                "--labels",
                labels,
                "--capacity",
                Integer.toString(capacity),
                "--poll-seconds",
                "2",
                "--work-dir",
                tmp.resolve("work-" + name).toString())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    builder.environment().put("SOIL_TOKEN", token);
    builder.environment().put("MARKS", marks.toString());
    Process agent = builder.start();
    agents.add(agent);
    return agent;
  }

  private static String job(String name, String script, String labels) {
    return "{\"name\": \""
        + name
        + "\", \"tasks\": \"t ci/"
        + script
        + " "
        + name
        + " -\\n\", \"labels\": ["
        + labels
        + "], \"env\": {\"MARKS_NOTE\": \"x\"}}";
  }

  private String submitBody(String... jobs) {
    return "{\"commit\": \""
        + commit
        + "\", \"tree\": \""
        + tree()
        + "\", \"repository\": \""
        + repo
        + "\", \"jobs\": ["
        + String.join(",", jobs)
        + "]}";
  }

  private String tree() {
    try {
      return new Git(repo).run("rev-parse", "HEAD^{tree}").strip();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private HttpResponse<String> post(ServerProcess server, String token, String path, String body)
      throws IOException, InterruptedException {
    return http.send(
        HttpRequest.newBuilder(server.uri().resolve(path))
            .header(
                "Authorization",
                "Basic "
                    + Base64.getEncoder().encodeToString(token.getBytes(StandardCharsets.UTF_8)))
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .timeout(Duration.ofSeconds(60))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private JsonNode get(ServerProcess server, String path) throws IOException, InterruptedException {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(server.uri().resolve(path)).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return JSON.readTree(r.body());
  }

  /** Waits (bounded) until job {@code id}'s view passes {@code until}; returns it. */
  private JsonNode awaitJob(ServerProcess server, long id, Predicate<JsonNode> until)
      throws Exception {
    long end = System.nanoTime() + DEADLINE.toNanos();
    JsonNode job = null;
    while (System.nanoTime() < end) {
      job = get(server, "coordinator/jobs/" + id + ".json");
      if (until.test(job)) {
        return job;
      }
      Thread.sleep(200);
    }
    throw new AssertionError(
        "job " + id + " never got there; last " + job + "\nserver:\n" + server.log() + agentLogs());
  }

  private static Predicate<JsonNode> state(String state) {
    return j -> j.path("state").asText().equals(state);
  }

  private void awaitFile(Path file) throws Exception {
    long end = System.nanoTime() + DEADLINE.toNanos();
    while (!Files.exists(file)) {
      if (System.nanoTime() > end) {
        throw new AssertionError(file + " never appeared" + agentLogs());
      }
      Thread.sleep(100);
    }
  }

  /** Waits (bounded) until process {@code pid} is gone (or a zombie: dead, not yet reaped). */
  private void awaitGone(Path pidFile) throws Exception {
    String pid = Files.readString(pidFile).strip();
    Path stat = Path.of("/proc", pid, "stat");
    long end = System.nanoTime() + DEADLINE.toNanos();
    while (true) {
      String text;
      try {
        text = Files.readString(stat);
      } catch (IOException e) {
        return;
      }
      if (text.substring(text.lastIndexOf(')') + 2).startsWith("Z")) {
        return;
      }
      if (System.nanoTime() > end) {
        throw new AssertionError("task process " + pid + " still runs: " + text + agentLogs());
      }
      Thread.sleep(100);
    }
  }

  /** Waits (bounded) until the server has heard every one of {@code names} ask for work. */
  private void awaitAgents(ServerProcess server, String... names) throws Exception {
    long end = System.nanoTime() + DEADLINE.toNanos();
    while (true) {
      List<String> heard = new ArrayList<>();
      get(server, "coordinator/agents.json")
          .path("agents")
          .forEach(a -> heard.add(a.path("name").asText()));
      if (heard.containsAll(List.of(names))) {
        return;
      }
      if (System.nanoTime() > end) {
        throw new AssertionError("agents heard: " + heard + agentLogs());
      }
      Thread.sleep(200);
    }
  }

  private String agentLogs() throws IOException {
    StringBuilder all = new StringBuilder();
    try (var files = Files.list(tmp)) {
      for (Path log : files.filter(p -> p.toString().endsWith(".log")).toList()) {
        all.append("\n--- ").append(log.getFileName()).append('\n').append(Files.readString(log));
      }
    }
    return all.toString();
  }

  private long submitted(HttpResponse<String> answer, int index) throws IOException {
    assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
    return JSON.readTree(answer.body()).path("jobs").get(index).path("id").asLong();
  }

  @Test
  void aJobWhoseAgentIsKilledIsRequeuedAndFinishedByAnother() throws Exception {
    try (ServerProcess server = new ServerProcess(tmp.resolve("s"), CONFIG)) {
      String submitter = server.addWorker("ci", "submit");
      Process first = agent(server, "first", "big", 1);
      long id =
          submitted(
              post(
                  server,
                  submitter,
                  "coordinator/submit",
                  submitBody(job("slow", "slow.sh", "\"big\""))),
              0);
      awaitFile(marks.resolve("slow/pid"));
      assertThat(awaitJob(server, id, state("running")).path("agent").asText()).isEqualTo("first");

      first.destroyForcibly();
      assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();
      // The SIGKILLed agent's task dies with it (its supervisor sees the agent's pipe close).
      awaitGone(marks.resolve("slow/pid"));
      agent(server, "second", "big,x", 1);

      JsonNode done = awaitJob(server, id, state("passed"));
      assertThat(done.path("agent").asText()).isEqualTo("second");
      assertThat(done.path("attempts").asInt()).isEqualTo(2);
      Path json = server.site.resolve("github-jobs/soil-1/slow.json");
      awaitFile(json);
      assertThat(Files.readString(json))
          .contains(commit)
          .contains("\"agent\": \"second\"")
          .contains("\"coordinator-job\": \"" + id + "\"");
      assertThat(server.log()).contains("no heartbeat from agent 'first'");
    }
  }

  @Test
  void jobsQueuedWhenTheServerIsKilledAllRunAfterItRestarts() throws Exception {
    ServerProcess server = new ServerProcess(tmp.resolve("s"), CONFIG);
    try {
      String submitter = server.addWorker("ci", "submit");
      HttpResponse<String> answer =
          post(
              server,
              submitter,
              "coordinator/submit",
              submitBody(
                  job("a", "quick.sh", ""), job("b", "quick.sh", ""), job("c", "quick.sh", "")));
      long first = submitted(answer, 0);

      server = server.killedAndRestarted();
      agent(server, "worker", "", 2);

      for (long id = first; id < first + 3; id++) {
        awaitJob(server, id, state("passed"));
      }
      for (String name : List.of("a", "b", "c")) {
        awaitFile(server.site.resolve("github-jobs/soil-1/" + name + ".json"));
      }
    } finally {
      server.close();
    }
  }

  @Test
  void aJobWhoseInputsPassedIsReusedUnlessForced() throws Exception {
    try (ServerProcess server = new ServerProcess(tmp.resolve("s"), CONFIG)) {
      String submitter = server.addWorker("ci", "submit");
      agent(server, "worker", "", 1);
      Map<String, String> env = Map.of("SOIL_TOKEN", submitter);
      Processes.Result ran =
          submitWithCli(server, env, "--job", "unit", "--tasks", tasks("unit").toString());
      assertThat(ran.exit()).as(ran.output()).isZero();
      assertThat(ran.output()).startsWith("queued ");
      long id = Long.parseLong(ran.output().split(" ")[1]);
      awaitJob(server, id, state("passed"));

      Processes.Result again =
          submitWithCli(server, env, "--job", "unit", "--tasks", tasks("unit").toString());
      assertThat(again.exit()).as(again.output()).isZero();
      assertThat(again.output().strip())
          .matches("reused [0-9]+ soil-2/unit \\(from github-jobs/soil-1/unit\\)");
      assertThat(server.site.resolve("status-api/github/soil-2/unit.status.txt"))
          .content()
          .startsWith("0 ");

      Processes.Result forced =
          submitWithCli(
              server, env, "--force", "--job", "unit", "--tasks", tasks("unit").toString());
      assertThat(forced.output()).startsWith("queued ");
      awaitJob(server, Long.parseLong(forced.output().split(" ")[1]), state("passed"));
    }
  }

  private Path tasks(String name) throws IOException {
    return Files.writeString(tmp.resolve(name + ".tasks"), "t ci/quick.sh " + name + " -\n");
  }

  private Processes.Result submitWithCli(
      ServerProcess server, Map<String, String> env, String... args) throws Exception {
    List<String> all =
        new ArrayList<>(
            List.of(
                "submit",
                "--server",
                server.uri().toString(),
                "--repository",
                repo.toString(),
                "--repo-dir",
                repo.toString()));
    all.addAll(List.of(args));
    return Processes.java(tmp, env, Repo.WORKER_JAR, all.toArray(String[]::new));
  }

  @Test
  void aSetupFailureGoesToAnotherAgentThenEndsTheJobWithTheReason() throws Exception {
    Path hooked = tmp.resolve("hooked.txt");
    String config =
        CONFIG
            + ", \"hooks\": {\"job-setup-failed\": \"echo \\\"$SOIL_JOB $SOIL_AGENT\\\" >> "
            + hooked
            + "\"}";
    try (ServerProcess server = new ServerProcess(tmp.resolve("s"), config)) {
      String submitter = server.addWorker("ci", "submit");
      agent(server, "one", "", 1);
      agent(server, "two", "", 1);
      // Both known before the job: with one alone, the job ends once its setup failed there.
      awaitAgents(server, "one", "two");
      String broken =
          job("ws", "quick.sh", "")
              .replace("\"tasks\"", "\"workspace\": \"ci/missing.json\", \"tasks\"");
      long id = submitted(post(server, submitter, "coordinator/submit", submitBody(broken)), 0);

      JsonNode ended = awaitJob(server, id, state("setup-failed"));
      assertThat(ended.path("attempts").asInt()).isEqualTo(2);
      assertThat(ended.path("reason").asText())
          .contains("missing.json")
          .endsWith("(attempt 2 of 2)");
      awaitFile(hooked);
      long end = System.nanoTime() + DEADLINE.toNanos();
      while (Files.readAllLines(hooked).size() < 2 && System.nanoTime() < end) {
        Thread.sleep(100);
      }
      assertThat(Files.readAllLines(hooked)).containsExactlyInAnyOrder("ws one", "ws two");
    }
  }

  /**
   * An agent whose token may take jobs but not publish them (no scope github-jobs) used to take
   * each job and fail its setup (run-job's /credentials check refused it), so the job ended as
   * setup-failed without ever reaching an agent that could run it. It takes none now: it exits 2
   * saying why, and the job waits for an agent that can publish it.
   */
  @Test
  void anAgentWhoseTokenMayNotPublishTakesNoJobAndExits2SayingWhy() throws Exception {
    try (ServerProcess server = new ServerProcess(tmp.resolve("s"), CONFIG)) {
      String submitter = server.addWorker("ci", "submit");
      long id =
          submitted(
              post(server, submitter, "coordinator/submit", submitBody(job("pub", "quick.sh", ""))),
              0);

      Process unable = agent(server, "unable", "", 1, "agent");

      assertThat(unable.waitFor(60, TimeUnit.SECONDS)).as(agentLogs()).isTrue();
      assertThat(unable.exitValue()).as(agentLogs()).isEqualTo(2);
      assertThat(Files.readString(tmp.resolve("unable.log")))
          .endsWith(
              "soil-worker: agent unable: server "
                  + server.uri()
                  + " refused the token from SOIL_TOKEN for publishing jobs (HTTP 403: worker"
                  + " 'unable' may not write 'github-jobs'), so the agent takes no job: give"
                  + " SOIL_TOKEN the NAME:SECRET that 'soil-server add-worker NAME --scopes"
                  + " agent,github-jobs' printed\n");
      JsonNode waiting = get(server, "coordinator/jobs/" + id + ".json");
      assertThat(waiting.path("state").asText()).as(waiting.toString()).isEqualTo("queued");
      assertThat(waiting.path("attempts").asInt()).isZero();

      agent(server, "able", "", 1);

      JsonNode done = awaitJob(server, id, state("passed"));
      assertThat(done.path("attempts").asInt()).isEqualTo(1);
    }
  }

  /**
   * A 429 (the failed-login limit, here for the agent's name) is no refusal of the token: the agent
   * waits as Retry-After says, says so once, and goes on. It used to end with exit 2 on a refused
   * poll, and to say each retry of its credentials check.
   */
  @Test
  void anAgentWhoseCredentialsCheckGets429WaitsSaysSoOnceAndTakesTheJob() throws Exception {
    try (ServerProcess server = new ServerProcess(tmp.resolve("s"), CONFIG + LOGIN_LIMIT)) {
      String submitter = server.addWorker("ci", "submit");
      long id =
          submitted(
              post(server, submitter, "coordinator/submit", submitBody(job("q", "quick.sh", ""))),
              0);
      failLoginOnce(server, "patient");

      Process patient = agent(server, "patient", "", 1);

      JsonNode done = awaitJob(server, id, state("passed"));
      assertThat(done.path("agent").asText()).isEqualTo("patient");
      assertThat(patient.isAlive()).as(agentLogs()).isTrue();
      assertWaitedOnceFor429(tmp.resolve("patient.log"), "credentials", "patient");
    }
  }

  @Test
  void anAgentWhosePollGets429WaitsSaysSoOnceAndGoesOnPolling() throws Exception {
    try (ServerProcess server = new ServerProcess(tmp.resolve("s"), CONFIG + LOGIN_LIMIT)) {
      Process steady = agent(server, "steady", "", 1);
      awaitAgents(server, "steady");
      failLoginOnce(server, "steady");

      // A change to the tokens forgets the verified ones: the agent's next poll meets the limit.
      String submitter = server.addWorker("ci", "submit");
      awaitLine(tmp.resolve("steady.log"), STATUS_429);
      assertThat(steady.waitFor(3, TimeUnit.SECONDS)).as("exited: " + agentLogs()).isFalse();
      long id =
          submitted(
              post(server, submitter, "coordinator/submit", submitBody(job("p", "quick.sh", ""))),
              0);

      JsonNode done = awaitJob(server, id, state("passed"));
      assertThat(done.path("agent").asText()).isEqualTo("steady");
      assertThat(steady.isAlive()).as(agentLogs()).isTrue();
      assertWaitedOnceFor429(tmp.resolve("steady.log"), "coordinator/poll", "steady");
    }
  }

  /** One wrong secret for worker {@code name}: with {@link #LOGIN_LIMIT}, its next login is 429. */
  private void failLoginOnce(ServerProcess server, String name) throws Exception {
    HttpResponse<String> wrong =
        post(server, name + ":not-the-secret", "credentials?workerHost=github", "");
    assertThat(wrong.statusCode()).as(wrong.body()).isEqualTo(401);
  }

  /** Waits (bounded) until a line of {@code log} has {@code pattern}. */
  private void awaitLine(Path log, Pattern pattern) throws Exception {
    long end = System.nanoTime() + DEADLINE.toNanos();
    while (!Files.exists(log) || Files.readString(log).lines().noneMatch(pattern.asPredicate())) {
      if (System.nanoTime() > end) {
        throw new AssertionError("no line with '" + pattern + "' in " + log + agentLogs());
      }
      Thread.sleep(100);
    }
  }

  private static void assertWaitedOnceFor429(Path log, String route, String name)
      throws IOException {
    String text = Files.readString(log);
    assertThat(text.lines().filter(STATUS_429.asPredicate()))
        .as(text)
        .singleElement()
        .asString()
        .matches(
            "soil-worker agent "
                + name
                + ": server http://127\\.0\\.0\\.1:\\d+/ answered "
                + route
                + " with 429 \\(too many failed logins for worker name '"
                + name
                + "' \\(1 in 20 s\\); retry in \\d+ seconds with a valid token\\): waiting \\d+ s,"
                + " then asking again \\(not said again while the server keeps answering 429\\)");
    assertThat(text).doesNotContain("asking again in").doesNotContain("takes no more jobs");
  }

  @Test
  void anAgentStoppedWithSigtermCancelsItsJobReportsItAndExitsZero() throws Exception {
    try (ServerProcess server = new ServerProcess(tmp.resolve("s"), CONFIG)) {
      String submitter = server.addWorker("ci", "submit");
      Process agent = agent(server, "leaving", "", 1);
      long id =
          submitted(
              post(server, submitter, "coordinator/submit", submitBody(job("term", "slow.sh", ""))),
              0);
      awaitFile(marks.resolve("term/pid"));

      agent.destroy(); // SIGTERM

      assertThat(agent.waitFor(DEADLINE.toSeconds(), TimeUnit.SECONDS)).isTrue();
      assertThat(agent.exitValue()).as(agentLogs()).isZero();
      JsonNode done = awaitJob(server, id, state("cancelled"));
      assertThat(done.path("reason").asText())
          .isEqualTo("cancelled: the agent stopped (SIGTERM), its tasks were killed");
      awaitGone(marks.resolve("term/pid"));
      Path json = server.site.resolve("github-jobs/soil-1/term.json");
      awaitFile(json);
      assertThat(Files.readString(json)).contains("\"job-cancelled\"");
      assertThat(Files.readString(tmp.resolve("leaving.log")))
          .contains("soil-worker agent leaving: SIGTERM: asking for no more jobs")
          .contains("soil-worker agent leaving: stopped");
    }
  }

  @Test
  void withPodmanAMissingImageFailsSetupOnEveryAgentAndAnImageAtHandRunsTheJob() throws Exception {
    String image =
        System.getenv().getOrDefault("SOIL_TEST_IMAGE", "localhost/soil-test-busybox:latest");
    try (ServerProcess server = new ServerProcess(tmp.resolve("s"), CONFIG)) {
      String submitter = server.addWorker("ci", "submit");
      agent(server, "pod-one", "podman", 1);
      agent(server, "pod-two", "podman", 1);
      awaitAgents(server, "pod-one", "pod-two");
      String missing =
          job("nopull", "quick.sh", "\"podman\"")
              .replace(
                  "\"tasks\"",
                  "\"provider\": \"podman\", \"image\": \"localhost/soil-no-such-image:"
                      + tmp.getFileName()
                      + "\", \"tasks\"");
      String real =
          job("inpod", "quick.sh", "\"podman\"")
              .replace(
                  "\"tasks\"", "\"provider\": \"podman\", \"image\": \"" + image + "\", \"tasks\"");
      HttpResponse<String> answer =
          post(server, submitter, "coordinator/submit", submitBody(missing, real));
      long missingId = submitted(answer, 0);
      long realId = submitted(answer, 1);

      JsonNode failed = awaitJob(server, missingId, state("setup-failed"));
      assertThat(failed.path("attempts").asInt()).isEqualTo(2);
      assertThat(failed.path("reason").asText())
          .contains("agent 'pod-one': ")
          .contains("agent 'pod-two': ")
          .contains("soil-no-such-image");
      JsonNode passed = awaitJob(server, realId, state("passed"));
      assertThat(passed.path("agent").asText()).isIn("pod-one", "pod-two");
      Path json = server.site.resolve("github-jobs/soil-1/inpod.json");
      awaitFile(json);
      assertThat(Files.readString(json)).contains("\"provider\": \"podman\"");
      assertThat(server.site.resolve("github-jobs/soil-1/nopull.json")).doesNotExist();
    }
  }

  @Test
  void aRunningJobOfParallelTasksIsCancelledAndEveryTaskIsKilled() throws Exception {
    try (ServerProcess server = new ServerProcess(tmp.resolve("s"), CONFIG)) {
      String submitter = server.addWorker("ci", "submit");
      agent(server, "wide", "", 1);
      String both =
          "{\"name\": \"wide\", \"parallel\": 2, \"tasks\":"
              + " \"a ci/hang.sh a -\\nb ci/hang.sh b -\\n\"}";
      long id = submitted(post(server, submitter, "coordinator/submit", submitBody(both)), 0);
      // Both hang at once: the job's parallel 2 reached run-job.
      awaitFile(marks.resolve("a.pid"));
      awaitFile(marks.resolve("b.pid"));

      HttpResponse<String> cancel = post(server, submitter, "coordinator/cancel?job=" + id, "");
      assertThat(cancel.statusCode()).as(cancel.body()).isEqualTo(200);

      awaitJob(server, id, state("cancelled"));
      awaitGone(marks.resolve("a.pid"));
      awaitGone(marks.resolve("b.pid"));
      Path json = server.site.resolve("github-jobs/soil-1/wide.json");
      awaitFile(json);
      assertThat(Files.readString(json)).contains("\"job-cancelled\"");
    }
  }

  @Test
  void aRunningJobIsCancelledAndPublishedAsCancelled() throws Exception {
    try (ServerProcess server = new ServerProcess(tmp.resolve("s"), CONFIG)) {
      String submitter = server.addWorker("ci", "submit");
      agent(server, "worker", "", 1);
      long id =
          submitted(
              post(server, submitter, "coordinator/submit", submitBody(job("hang", "slow.sh", ""))),
              0);
      awaitFile(marks.resolve("hang/pid"));

      HttpResponse<String> cancel = post(server, submitter, "coordinator/cancel?job=" + id, "");
      assertThat(cancel.statusCode()).as(cancel.body()).isEqualTo(200);

      JsonNode done = awaitJob(server, id, state("cancelled"));
      assertThat(done.path("status").asInt()).isEqualTo(143);
      Path json = server.site.resolve("github-jobs/soil-1/hang.json");
      awaitFile(json);
      assertThat(Files.readString(json)).contains("\"job-cancelled\"");
      HttpResponse<String> again = post(server, submitter, "coordinator/cancel?job=" + id, "");
      assertThat(again.statusCode()).isEqualTo(409);
      assertThat(again.body()).contains("job " + id + " already ended as cancelled");
    }
  }

  @Test
  void badInputGetsAPreciseRefusalAndChangesNothing() throws Exception {
    try (ServerProcess server = new ServerProcess(tmp.resolve("s"), CONFIG)) {
      String submitter = server.addWorker("ci", "submit");
      String one = server.addWorker("one", "agent");
      String two = server.addWorker("two", "agent");
      long id =
          submitted(
              post(server, submitter, "coordinator/submit", submitBody(job("q", "quick.sh", ""))),
              0);
      Path log = server.state.resolve("coordinator/queue.log");
      String before = sha256(log);

      StringBuilder many = new StringBuilder();
      for (int i = 0; i < 10_000; i++) {
        many.append(i == 0 ? "" : ",").append(job("j" + i, "quick.sh", ""));
      }
      assertRefused(
          post(server, submitter, "coordinator/submit", submitBody(many.toString())),
          400,
          "submit has 10000 jobs, more than the 1000 one submit may hold");
      assertRefused(
          post(
              server,
              submitter,
              "coordinator/submit",
              submitBody(job("l", "quick.sh", "\"../x\""))),
          400,
          "jobs[0] (l).labels label '../x' must be 1-64 lowercase letters");
      assertRefused(
          post(
              server,
              submitter,
              "coordinator/submit",
              submitBody(
                  job("p", "quick.sh", "")
                      .replace("\"tasks\"", "\"provider\": \"kvm\", \"tasks\""))),
          400,
          "jobs[0] (p).provider 'kvm' must be one of docker, local, podman");
      assertRefused(
          post(server, one, "coordinator/submit", submitBody(job("s", "quick.sh", ""))),
          403,
          "worker 'one' lacks scope 'submit'");
      StringBuilder full = new StringBuilder();
      for (int i = 0; i < 20; i++) {
        full.append(i == 0 ? "" : ",").append(job("f" + i, "quick.sh", ""));
      }
      HttpResponse<String> busy =
          post(server, submitter, "coordinator/submit", submitBody(full.toString()));
      assertRefused(busy, 503, "the queue holds 1 jobs and this submit adds 20");
      assertThat(busy.headers().firstValue("Retry-After")).contains("30");
      assertThat(sha256(log)).isEqualTo(before);

      HttpResponse<String> taken = post(server, one, "coordinator/poll?wait=5", "");
      assertThat(taken.statusCode()).as(taken.body()).isEqualTo(200);
      assertThat(JSON.readTree(taken.body()).path("id").asLong()).isEqualTo(id);
      String held = sha256(log);

      assertRefused(
          post(server, two, "coordinator/heartbeat?job=" + id, ""),
          403,
          "job " + id + " is not held by agent 'two' (it is running by agent 'one')");
      assertRefused(
          post(server, two, "coordinator/outcome?job=" + id + "&outcome=passed&status=0", ""),
          403,
          "is not held by agent 'two'");
      assertRefused(
          post(server, one, "coordinator/outcome?job=99&outcome=passed&status=0", ""),
          404,
          "job 99 is not known to the coordinator");
      assertRefused(
          post(server, one, "coordinator/outcome?job=" + id + "&outcome=passed&status=3", ""),
          400,
          "status 3 does not go with outcome passed");
      assertThat(sha256(log)).isEqualTo(held);

      HttpResponse<String> ok =
          post(server, one, "coordinator/outcome?job=" + id + "&outcome=failed&status=2", "");
      assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
      String ended = sha256(log);
      assertRefused(
          post(server, one, "coordinator/outcome?job=" + id + "&outcome=failed&status=2", ""),
          409,
          "job " + id + " already ended as failed; outcome failed is refused");
      assertThat(sha256(log)).isEqualTo(ended);

      long late =
          submitted(
              post(
                  server, submitter, "coordinator/submit", submitBody(job("late", "quick.sh", ""))),
              0);
      HttpResponse<String> lease = post(server, one, "coordinator/poll?wait=5", "");
      assertThat(JSON.readTree(lease.body()).path("id").asLong()).isEqualTo(late);
      awaitJob(server, late, state("queued"));
      assertRefused(
          post(server, one, "coordinator/heartbeat?job=" + late, ""),
          409,
          "agent 'one' lost its lease on job " + late + " (no heartbeat within 10 s)");
    }
  }

  private static void assertRefused(HttpResponse<String> answer, int status, String message) {
    assertThat(answer.statusCode()).as(answer.body()).isEqualTo(status);
    assertThat(answer.body()).contains(message);
  }

  private static String sha256(Path file) throws Exception {
    return HexFormat.of()
        .formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
  }
}
