package io.soilci.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.soilci.server.testing.SiteTrees;
import io.soilci.server.testing.TestProcesses;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code soil-server serve} as a process: what it prints and writes when it cannot listen. */
class ServeProcessTest {
  private static final long WAIT_SECONDS = 60;

  @TempDir Path dir;

  private record Ended(int status, String out, String err) {}

  @Test
  void aPortInUseIsExit2InOneLineAndWritesNothingIntoTheSiteOrAFreshState() throws Exception {
    Path site = Files.createDirectories(dir.resolve("site"));
    SiteTrees.copyFixtures(site);
    Path state = Files.createDirectories(dir.resolve("state"));
    String before = SiteTrees.checksum(dir);

    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      String listen = "127.0.0.1:" + taken.getLocalPort();
      Ended ended = serve("--site", site, "--state", state, "--listen", listen);

      assertThat(ended.err())
          .isEqualTo(
              "soil-server: cannot listen on "
                  + listen
                  + ": the address is in use (another soil-server?); stop what listens there or"
                  + " pass --listen HOST:PORT with a free port\n");
      assertThat(ended.status()).isEqualTo(2);
    }
    assertThat(SiteTrees.checksum(dir)).isEqualTo(before);
    assertThat(SiteTrees.files(state)).isEmpty();
  }

  @Test
  void anAddressOfAnotherHostIsExit2InOneLineAndInitCreatesNoSite() throws Exception {
    Path site = dir.resolve("site");

    Ended ended = serve("--site", site, "--init", "--listen", "192.0.2.1:0");

    assertThat(ended.err())
        .isEqualTo(
            "soil-server: cannot listen on 192.0.2.1:0: this host has no such address (Cannot"
                + " assign requested address); pass --listen HOST:PORT with one of its addresses,"
                + " e.g. 127.0.0.1:8080, or 0.0.0.0:8080 for all\n");
    assertThat(ended.status()).isEqualTo(2);
    try (var left = Files.list(dir)) {
      assertThat(left).isEmpty();
    }
  }

  @Test
  void aSiteThatCannotOpenEndsTheStartPromptlyWithExit1AndOneLineNamingTheSite() throws Exception {
    Path site = Files.createDirectories(dir.resolve("site"));
    Files.writeString(site.resolve("web"), "a file where the assets' folder goes");

    Ended ended = serve("--site", site, "--state", dir.resolve("state"), "--listen", "127.0.0.1:0");

    // Before it, only the index's log lines (read before the assets are written); after it, none.
    List<String> lines = ended.err().lines().toList();
    assertThat(lines.subList(0, lines.size() - 1))
        .allMatch(
            line -> line.startsWith("[soil-site-open] INFO io.soilci.server.site.SavedIndex"));
    // The assets are written through a temp file beside each (AtomicFiles): its name is random.
    assertThat(lines.get(lines.size() - 1))
        .matches(
            Pattern.quote(
                    "soil-server: cannot open the site "
                        + site
                        + ": java.nio.file.FileSystemException: "
                        + site.resolve("web").resolve(".tmp-"))
                + "[0-9]+"
                + Pattern.quote("-site.css: Not a directory"));
    assertThat(ended.status()).isEqualTo(1);
  }

  @Test
  void aServerThatStartsAndStopsPrintsNoLibraryBanners() throws Exception {
    Path site = Files.createDirectories(dir.resolve("site"));
    int port;
    try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = free.getLocalPort();
    }
    Path err = dir.resolve("serve.err");
    Process process =
        launch(dir.resolve("serve.out"), err, "--site", site, "--listen", "127.0.0.1:" + port);
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
      while (!Files.readString(err).contains("soil-server: serving ")
          && process.isAlive()
          && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      assertThat(Files.readString(err)).contains("soil-server: serving ");
    } finally {
      process.destroy();
      assertThat(process.waitFor(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
    }

    String printed = Files.readString(err, StandardCharsets.UTF_8);
    assertThat(printed).doesNotContain("XNIO", "JBoss Threads", "Undertow", "INFO: ");
  }

  /** {@code soil-server serve ARGS} as a process whose stdout and stderr go to files. */
  private static Process launch(Path out, Path err, Object... args) throws IOException {
    return TestProcesses.track(
        new ProcessBuilder(command(args))
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .start());
  }

  private Ended serve(Object... args) throws Exception {
    Path logs = Files.createTempDirectory("serve-process");
    Path out = logs.resolve("out");
    Path err = logs.resolve("err");
    Process process = launch(out, err, args);
    try {
      assertThat(process.waitFor(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
    } finally {
      process.destroyForcibly();
    }
    Ended ended =
        new Ended(
            process.exitValue(),
            Files.readString(out, StandardCharsets.UTF_8),
            Files.readString(err, StandardCharsets.UTF_8));
    Files.delete(out);
    Files.delete(err);
    Files.delete(logs);
    return ended;
  }

  /** {@code soil-server serve ARGS} through its main class, on the test's class path. */
  private static List<String> command(Object... args) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(ServerMain.class.getName());
    command.add("serve");
    for (Object arg : args) {
      command.add(arg.toString());
    }
    return command;
  }
}
