package io.soilci.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The server's command line ends the way the worker's does (io.soilci.cli). */
class ServerCommandLineTest {
  @TempDir Path dir;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine cli = ServerCommand.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    return cli.execute(args);
  }

  @Test
  void aMisspelledSubcommandGetsASuggestionAndExit2() {
    int status = run("serv");

    assertThat(status).isEqualTo(2);
    assertThat(err.toString())
        .isEqualTo(
            "soil-server: Unmatched argument at index 0: 'serv' (see 'soil-server --help')\n"
                + "Did you mean: soil-server serve or soil-server add-worker or soil-server"
                + " remove-worker?\n");
  }

  @Test
  void aNamedSubcommandIsTheOnlyOneReadAndTheNamesAreTheCommandsOwn() {
    assertThat(ServerCommand.commandLine(new String[] {"serve", "--help"}).getSubcommands())
        .containsOnlyKeys("serve");
    assertThat(ServerCommand.commandLine(new String[] {"--version"}).getSubcommands().keySet())
        .containsExactly("serve", "add-worker", "remove-worker", "regen", "ingest");
    ServerCommand.commandLine()
        .getSubcommands()
        .forEach((name, sub) -> assertThat(sub.getCommandName()).isEqualTo(name));
  }

  @Test
  void printsTheVersionTheBuildSet() {
    int status = run("--version");

    assertThat(status).isZero();
    assertThat(out.toString())
        .isEqualTo("soil-server " + System.getProperty("soil.build.version") + "\n");
  }

  @Test
  void anExpectedFailurePrintsOneLineAndWithVerboseTheStackTrace() throws IOException {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      String listen = "127.0.0.1:" + taken.getLocalPort();
      String site = Files.createDirectories(dir.resolve("site")).toString();

      int quiet = run("serve", "--site", site, "--listen", listen);
      String quietErr = err.toString();
      err.getBuffer().setLength(0);
      int verbose = run("serve", "--site", site, "--listen", listen, "--verbose");

      assertThat(quiet).isEqualTo(2);
      assertThat(quietErr)
          .isEqualTo(
              "soil-server: cannot listen on "
                  + listen
                  + ": the address is in use (another soil-server?); stop what listens there or"
                  + " pass --listen HOST:PORT with a free port\n");
      assertThat(verbose).isEqualTo(2);
      assertThat(err.toString()).startsWith(quietErr).contains("\tat ");
    }
  }

  @Test
  void anAddressOfAnotherHostIsNotCalledInUse() throws IOException {
    String site = Files.createDirectories(dir.resolve("site")).toString();

    int status = run("serve", "--site", site, "--listen", "192.0.2.1:0");

    assertThat(status).isEqualTo(2);
    assertThat(err.toString())
        .isEqualTo(
            "soil-server: cannot listen on 192.0.2.1:0: this host has no such address (Cannot"
                + " assign requested address); pass --listen HOST:PORT with one of its addresses,"
                + " e.g. 127.0.0.1:8080, or 0.0.0.0:8080 for all\n");
  }

  @Test
  void anUnknownListenHostIsBadUsageInOneLine() throws IOException {
    String site = Files.createDirectories(dir.resolve("site")).toString();

    int status = run("serve", "--site", site, "--listen", "no-such-host.invalid:0");

    assertThat(status).isEqualTo(2);
    assertThat(err.toString())
        .isEqualTo(
            "soil-server: cannot listen on no-such-host.invalid:0: unknown host"
                + " no-such-host.invalid; pass --listen HOST:PORT with a name or address of this"
                + " host, e.g. 127.0.0.1:8080\n");
  }
}
