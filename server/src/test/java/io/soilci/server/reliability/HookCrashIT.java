package io.soilci.server.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.soilci.server.auth.Scope;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hooks survive a SIGKILL of the real server jar: two done events are answered while their {@code
 * job-passed} hooks are still waiting (the first running, held by a gate file; the second queued
 * behind it), the server is killed, and the server started again on the same state runs both, in
 * order, and its spool is empty after. And an upload cut off between its commit point and its
 * hooks' spooling fires them at the next start.
 */
class HookCrashIT {
  private static final List<String> JVM =
      List.of("-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");

  @TempDir Path dir;

  @Test
  void theHooksOfAnsweredEventsRunAfterASigkillAndARestart() throws Exception {
    CrashSite site = CrashSite.empty(dir, Set.of(Scope.GITHUB_JOBS));
    Path gate = dir.resolve("gate");
    Path out = dir.resolve("hooks.txt");
    Path config = dir.resolve("config.json");
    String hook =
        "while [ ! -e '"
            + gate
            + "' ]; do sleep 0.05; done; echo \"$SOIL_RUN $SOIL_JOB\" >> '"
            + out
            + "'";
    writeConfig(config, site, List.of("job-passed"), hook);
    List<String> args = List.of("--config", config.toString());
    ServerProcess first = ServerProcess.serve(site.log(), JVM, args);
    for (String job : List.of("a", "b")) {
      event(first, site.token(), "start", job);
    }
    for (String job : List.of("a", "b")) {
      event(first, site.token(), "done&status=0", job);
    }
    // The hooks' shells outlive a SIGKILL of their server: they are ended too, so that only the
    // server started again can write the lines.
    List<ProcessHandle> shells = ProcessHandle.of(first.pid()).orElseThrow().descendants().toList();

    first.kill();
    shells.forEach(ProcessHandle::destroyForcibly);
    for (ProcessHandle shell : shells) {
      shell.onExit().get();
    }
    assertThat(out).doesNotExist();
    Files.createFile(gate);
    try (ServerProcess again = ServerProcess.serve(site.log(), JVM, args)) {

      awaitLines(out, 2);
      assertThat(Files.readAllLines(out)).containsExactly("1 a", "1 b");
      Path spool = site.state().resolve("hooks").resolve("site");
      awaitEmpty(spool);
    }
    assertThat(Files.readString(site.log()))
        .contains("2 hook events left in " + site.state().resolve("hooks").resolve("site"));
  }

  /**
   * An upload cut off after its commit point, before the site was told and its hooks spooled: the
   * state a SIGKILL there leaves (made by hand, the window being milliseconds): the job's files
   * staged beside their targets and the commit manifest naming them, in CommitJournal's format. The
   * next start completes the commit and fires the job's hook; before stop 32 it fired none, and the
   * client's retry then found the job done.
   */
  @Test
  void anUploadCutOffBeforeItsHooksWereSpooledFiresThemAtTheNextStart() throws Exception {
    CrashSite site = CrashSite.empty(dir, Set.of(Scope.GITHUB_JOBS));
    Path out = dir.resolve("hooks.txt");
    Path config = dir.resolve("config.json");
    writeConfig(
        config,
        site,
        List.of("job-passed", "job-failed"),
        "echo \"$SOIL_EVENT $SOIL_RUN $SOIL_JOB\" >> '" + out + "'");
    JobFiles job = JobFiles.make("7", "cut", 3, 200, 8);
    Path run = Files.createDirectories(site.site().resolve("github-jobs").resolve("7"));
    StringBuilder manifest = new StringBuilder("github\t7\tcut\n");
    for (Map.Entry<String, byte[]> file :
        Map.of("WWZ", job.wwz(), "TSV", job.tsv(), "JSON", job.json()).entrySet()) {
      String staged = ".tmp-cut-" + file.getKey();
      Files.write(run.resolve(staged), file.getValue());
      manifest.append(file.getKey()).append('\t').append(staged).append('\n');
    }
    Path commits = Files.createDirectories(site.state().resolve("commits"));
    Files.writeString(commits.resolve("github+7+cut.commit"), manifest);

    try (ServerProcess server =
        ServerProcess.serve(site.log(), JVM, List.of("--config", config.toString()))) {
      awaitLines(out, 1);
      assertThat(Files.readAllLines(out)).singleElement().asString().endsWith(" 7 cut");
    }
    assertThat(run.resolve("cut.json")).hasBinaryContent(job.json());
    assertThat(commits).isEmptyDirectory();
    assertThat(site.state().resolve("hooks-due")).isEmptyDirectory();
  }

  /**
   * The server's config: {@code site}, its state, and {@code command} for each of {@code events}.
   */
  private static void writeConfig(Path config, CrashSite site, List<String> events, String command)
      throws IOException {
    StringBuilder hooks = new StringBuilder();
    for (String event : events) {
      hooks
          .append('"')
          .append(event)
          .append("\": \"")
          .append(command.replace("\\", "\\\\").replace("\"", "\\\""))
          .append("\", ");
    }
    Files.writeString(
        config,
        "{\"site\": \""
            + site.site()
            + "\", \"state\": \""
            + site.state()
            + "\", \"hooks\": {"
            + hooks
            + "\"threads\": 1, \"queue\": 10}}");
  }

  private static void event(ServerProcess server, String token, String event, String job)
      throws IOException, InterruptedException {
    HttpClient client = HttpClient.newHttpClient();
    HttpResponse<String> r =
        client.send(
            HttpRequest.newBuilder(
                    server.uri(
                        "/event?eventName=" + event + "&workerHost=github&runId=1&jobName=" + job))
                .header("Authorization", token)
                .timeout(Duration.ofSeconds(20))
                .POST(HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as("%s of %s: %s", event, job, r.body()).isEqualTo(200);
  }

  private static void awaitLines(Path file, int lines) throws Exception {
    for (int i = 0; i < 600; i++) {
      if (Files.exists(file) && Files.readAllLines(file).size() >= lines) {
        return;
      }
      Thread.sleep(100);
    }
    assertThat(file).as("the hooks' lines within 60 s").exists();
    assertThat(Files.readAllLines(file)).as("the hooks' lines within 60 s").hasSize(lines);
  }

  private static void awaitEmpty(Path folder) throws Exception {
    for (int i = 0; i < 100; i++) {
      try (Stream<Path> files = Files.list(folder)) {
        if (files.findAny().isEmpty()) {
          return;
        }
      }
      Thread.sleep(100);
    }
    try (Stream<Path> files = Files.list(folder)) {
      assertThat(files.toList()).as("the spool once the hooks ran").isEmpty();
    }
  }
}
