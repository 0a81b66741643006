package io.soilci.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorkerMainTest {
  @Test
  void aMisspelledSubcommandGetsASuggestionAndExit2() {
    Cli.Result result = Cli.run("publsh");

    assertThat(result.exit()).isEqualTo(2);
    assertThat(result.err())
        .isEqualTo(
            "soil-worker: Unmatched argument at index 0: 'publsh' (see 'soil-worker --help')\n"
                + "Did you mean: soil-worker publish or soil-worker submit?");
  }

  @Test
  void eachSubcommandIsListedUnderItsOwnName() {
    WorkerMain.SUBCOMMANDS.forEach(
        (name, type) ->
            assertThat(new picocli.CommandLine(WorkerMain.subcommand(type)).getCommandName())
                .isEqualTo(name));
    assertThat(WorkerMain.commandLine().getSubcommands().keySet())
        .containsExactlyElementsOf(WorkerMain.SUBCOMMANDS.keySet());
  }

  @Test
  void printsTheVersionTheBuildSet() {
    Cli.Result result = Cli.run("--version");

    assertThat(result.exit()).isZero();
    assertThat(result.out())
        .isEqualTo("soil-worker " + System.getProperty("soil.build.version") + "\n");
  }

  @Test
  void anExpectedFailurePrintsOneLineAndWithVerboseTheStackTrace(@TempDir Path dir)
      throws IOException {
    Path token = Files.writeString(dir.resolve("token"), "ci-1:s3cret\n");
    String[] args = {
      "event",
      "--server",
      "http://127.0.0.1:9/",
      "--token-file",
      token.toString(),
      "--retry-for",
      "0",
      "--worker-host",
      "github",
      "--run-id",
      "7",
      "--name",
      "start",
      "--job",
      "a"
    };

    Cli.Result quiet = Cli.run(args);
    Cli.Result verbose = Cli.run(append(args, "--verbose"));

    assertThat(quiet.exit()).isEqualTo(1);
    assertThat(quiet.err())
        .isEqualTo(
            "soil-worker: send start event for github-jobs/7/a failed after 1 attempt: cannot"
                + " reach http://127.0.0.1:9/: connection refused; check that the server is up and"
                + " --server is right");
    assertThat(verbose.exit()).isEqualTo(1);
    assertThat(verbose.err()).startsWith(quiet.err() + "\n").contains("\tat ");
  }

  private static String[] append(String[] args, String more) {
    String[] all = java.util.Arrays.copyOf(args, args.length + 1);
    all[args.length] = more;
    return all;
  }
}
