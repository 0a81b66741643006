package io.soilci.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's first command, run as a user runs it. */
class QuickstartIT {
  private static final Pattern URL =
      Pattern.compile("^\\s+([a-zA-Z' ]+?)\\s+(http://127\\.0\\.0\\.1:\\d+/\\S*)$");

  @TempDir Path tmp;

  @Test
  void publishesTheDemoJobAndServesEveryPrintedUrlUntilStopped() throws Exception {
    int port = ServerProcess.freePort();
    ProcessBuilder builder =
        new ProcessBuilder(
                Repo.ROOT.resolve("soil-scripts/quickstart.sh").toString(),
                "--port",
                Integer.toString(port))
            .redirectErrorStream(true);
    builder.environment().put("SOIL_QUICKSTART_DIR", tmp.resolve("qs").toString());
    Process quickstart = builder.start();
    List<String> printed = new ArrayList<>();
    Map<String, URI> urls = new java.util.LinkedHashMap<>();
    try (BufferedReader out =
        new BufferedReader(
            new InputStreamReader(quickstart.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line;
          (line = out.readLine()) != null && !line.equals("Serving until Ctrl-C."); ) {
        printed.add(line);
        Matcher m = URL.matcher(line);
        if (m.matches()) {
          urls.put(m.group(1), URI.create(m.group(2)));
        }
      }

      assertThat(urls)
          .as(String.join("\n", printed))
          .containsOnlyKeys(
              "home page", "GitHub jobs", "the demo run", "the job's logs", "status API");
      Http http = new Http();
      for (URI url : urls.values()) {
        assertThat(http.get(url).statusCode()).as(url.toString()).isEqualTo(200);
      }
      String run = http.get(url(urls, "the demo run")).body();
      assertThat(run).contains("demo").contains("lint");
      assertThat(http.get(url(urls, "status API")).body()).startsWith("1 ");
      assertThat(http.get(url(urls, "the job's logs").resolve("_tmp/soil/logs/lint.txt")).body())
          .contains("line too long (demo failure)");
    } finally {
      quickstart.destroy();
    }

    assertThat(quickstart.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(listening(port)).as("the server stopped with the script").isFalse();
  }

  @Test
  void exitsAfterPublishingWithNoWait() throws Exception {
    int port = ServerProcess.freePort();

    Processes.Result result =
        Processes.run(
            Repo.ROOT,
            Map.of("SOIL_QUICKSTART_DIR", tmp.resolve("qs2").toString()),
            300,
            Repo.ROOT.resolve("soil-scripts/quickstart.sh").toString(),
            "--no-wait",
            "--port",
            Integer.toString(port));

    assertThat(result.exit()).as(result.output()).isEqualTo(0);
    assertThat(result.output())
        .contains("published github-jobs/1/demo to http://127.0.0.1:" + port + "/github-jobs/1/")
        .contains("soil: server stopped");
    assertThat(listening(port)).isFalse();
  }

  @Test
  void aSecondRunAddsRunTwoAndKeepsTheFirst() throws Exception {
    Map<String, String> env = Map.of("SOIL_QUICKSTART_DIR", tmp.resolve("qs3").toString());
    String script = Repo.ROOT.resolve("soil-scripts/quickstart.sh").toString();
    Processes.Result first =
        Processes.run(
            Repo.ROOT, env, 300, script, "--no-wait", "--port", "" + ServerProcess.freePort());
    assertThat(first.exit()).as(first.output()).isEqualTo(0);
    String token = java.nio.file.Files.readString(tmp.resolve("qs3/token"));

    int port = ServerProcess.freePort();
    Processes.Result second =
        Processes.run(Repo.ROOT, env, 300, script, "--no-wait", "--port", "" + port);

    assertThat(second.exit()).as(second.output()).isEqualTo(0);
    assertThat(second.output())
        .contains("published github-jobs/2/demo to http://127.0.0.1:" + port + "/github-jobs/2/");
    Path site = tmp.resolve("qs3/site");
    assertThat(site.resolve("github-jobs/1/demo.json")).exists();
    assertThat(site.resolve("github-jobs/2/demo.json")).exists();
    assertThat(java.nio.file.Files.readString(site.resolve("github-jobs/index.html")))
        .contains("href=\"1/index.html\"")
        .contains("href=\"2/index.html\"");
    assertThat(java.nio.file.Files.readString(tmp.resolve("qs3/token"))).isEqualTo(token);
  }

  private static URI url(Map<String, URI> urls, String name) {
    return java.util.Objects.requireNonNull(urls.get(name), name);
  }

  private static boolean listening(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
      return true;
    } catch (java.io.IOException e) {
      return false;
    }
  }
}
