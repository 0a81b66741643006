package io.soilci.server;

import io.soilci.cli.CliErrors;
import io.soilci.cli.SoilVersion;
import io.soilci.cli.Verbose;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** The root command: its subcommands are the server's commands. */
@Command(
    name = "soil-server",
    mixinStandardHelpOptions = true,
    versionProvider = SoilVersion.class,
    description = "Receives CI job results and serves them as a static site.")
final class ServerCommand implements java.util.concurrent.Callable<Integer> {
  /**
   * The subcommands by name, in the order help lists them. picocli reads a command's annotations
   * (and its options' classes) when it is added, so {@link #commandLine(String[])} adds only the
   * one asked for: {@code serve} starts without reading the others (docs/BENCHMARKS.md, "Server:
   * start-up").
   */
  private static final Map<String, Class<?>> SUBCOMMANDS =
      Map.of(
          "serve", ServeCommand.class,
          "add-worker", AddWorkerCommand.class,
          "remove-worker", RemoveWorkerCommand.class,
          "regen", RegenCommand.class,
          "ingest", IngestCommand.class);

  private static final String[] ORDER = {"serve", "add-worker", "remove-worker", "regen", "ingest"};

  @Mixin Verbose verbose = new Verbose();

  @Spec CommandSpec spec = CommandSpec.create();

  /** With no command: the usage, exit 2. */
  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    return CliErrors.BAD_USAGE;
  }

  /**
   * The command line with Soil's exit statuses: 2 for bad usage or bad input, 1 for a failure;
   * failures print one line (the stack trace only with {@code --verbose}).
   */
  static CommandLine commandLine() {
    return commandLine((String) null);
  }

  /** As {@link #commandLine()}, with only the subcommand {@code args} name when they name one. */
  static CommandLine commandLine(String[] args) {
    return commandLine(args.length == 0 || !SUBCOMMANDS.containsKey(args[0]) ? null : args[0]);
  }

  private static CommandLine commandLine(@Nullable String only) {
    CommandLine cli = new CommandLine(new ServerCommand());
    for (String name : ORDER) {
      if (only == null || only.equals(name)) {
        cli.addSubcommand(SUBCOMMANDS.get(name));
      }
    }
    return CliErrors.apply(cli);
  }
}
