package io.soilci.server;

import io.soilci.cli.CliErrors;
import io.soilci.cli.SoilVersion;
import io.soilci.cli.Verbose;
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
    description = "Receives CI job results and serves them as a static site.",
    subcommands = {
      ServeCommand.class,
      AddWorkerCommand.class,
      RegenCommand.class,
      IngestCommand.class
    })
final class ServerCommand implements java.util.concurrent.Callable<Integer> {
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
    return CliErrors.apply(new CommandLine(new ServerCommand()));
  }
}
