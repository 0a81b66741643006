package io.soilci.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.soilci.result.BadInput;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

class CliErrorsTest {
  /** A root like both of ours: mixes in --verbose, subcommands that fail in each way. */
  @Command(
      name = "soil-test",
      mixinStandardHelpOptions = true,
      versionProvider = SoilVersion.class,
      subcommands = {Publish.class, Refuse.class, Crash.class})
  static final class Root implements Callable<Integer> {
    @Mixin Verbose verbose = new Verbose();

    @Override
    public Integer call() {
      return 0;
    }
  }

  @Command(name = "publish")
  static final class Publish implements Callable<Integer> {
    @Option(names = "--server")
    String server = "";

    @Override
    public Integer call() {
      return 0;
    }
  }

  @Command(name = "refuse")
  static final class Refuse implements Callable<Integer> {
    @Override
    public Integer call() {
      throw new BadInput("--jobs 'a b' must be a comma-separated list of job names");
    }
  }

  @Command(name = "crash")
  static final class Crash implements Callable<Integer> {
    @Override
    public Integer call() {
      throw new UncheckedIOException(new IOException("connection refused"));
    }
  }

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine cli = CliErrors.apply(new CommandLine(new Root()));
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    return cli.execute(args);
  }

  @Test
  void suggestsTheSubcommandForAMisspelledOneWithExit2() {
    int status = run("publsh");

    assertThat(status).isEqualTo(2);
    assertThat(err.toString())
        .isEqualTo(
            "soil-test: Unmatched argument at index 0: 'publsh' (see 'soil-test --help')\n"
                + "Did you mean: soil-test publish or soil-test crash?\n");
  }

  @Test
  void suggestsTheOptionForAMisspelledOneWithExit2() {
    int status = run("publish", "--servr", "x");

    assertThat(status).isEqualTo(2);
    assertThat(err.toString())
        .isEqualTo(
            "soil-test: Unknown options: '--servr', 'x' (see 'soil-test publish --help')\n"
                + "Possible solutions: --server\n");
  }

  @Test
  void badInputIsExit2WithOneLine() {
    int status = run("refuse");

    assertThat(status).isEqualTo(2);
    assertThat(err.toString())
        .isEqualTo("soil-test: --jobs 'a b' must be a comma-separated list of job names\n");
  }

  @Test
  void aFailureIsExit1WithOneLineAndNoStackTrace() {
    int status = run("crash");

    assertThat(status).isEqualTo(1);
    assertThat(err.toString()).isEqualTo("soil-test: java.io.IOException: connection refused\n");
  }

  @Test
  void verboseOnTheSubcommandAddsTheStackTrace() {
    int status = run("crash", "--verbose");

    assertThat(status).isEqualTo(1);
    assertThat(err.toString())
        .startsWith(
            "soil-test: java.io.IOException: connection refused\n"
                + "java.io.UncheckedIOException: java.io.IOException: connection refused\n\tat ")
        .contains("Caused by: java.io.IOException: connection refused");
  }

  @Test
  void verboseOnTheRootAddsTheStackTraceToo() {
    int status = run("--verbose", "crash");

    assertThat(status).isEqualTo(1);
    assertThat(err.toString())
        .startsWith(
            "soil-test: java.io.IOException: connection refused\n"
                + "java.io.UncheckedIOException: java.io.IOException: connection refused\n\tat ");
  }

  @Test
  void versionIsTheRootsNameAndTheBuildsVersion() {
    int status = run("--version");

    assertThat(status).isZero();
    assertThat(out.toString())
        .isEqualTo("soil-test " + System.getProperty("soil.build.version") + "\n");
    assertThat(SoilVersion.get()).isEqualTo(System.getProperty("soil.build.version"));
  }
}
