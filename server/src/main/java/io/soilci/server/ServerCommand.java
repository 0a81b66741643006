package io.soilci.server;

import io.soilci.result.BadInput;
import java.io.PrintWriter;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The root command: its subcommands are the server's commands. */
@Command(
    name = "soil-server",
    mixinStandardHelpOptions = true,
    version = "soil-server 0.1",
    description = "Receives CI job results and serves them as a static site.",
    subcommands = {
      ServeCommand.class,
      AddWorkerCommand.class,
      RegenCommand.class,
      IngestCommand.class
    })
final class ServerCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.@Nullable CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(
        java.util.Objects.requireNonNull(spec).commandLine(), "a command is required");
  }

  /**
   * The command line with Soil's exit statuses: 2 for bad usage or bad input, 1 for a failure;
   * failures print one line (the stack trace only with {@code --verbose}).
   */
  static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new ServerCommand());
    cli.setExecutionExceptionHandler(
        (e, line, parsed) -> {
          PrintWriter err = line.getErr();
          boolean verbose = parsed.originalArgs().contains("--verbose");
          if (verbose) {
            e.printStackTrace(err);
          }
          err.println("soil-server: " + e.getMessage());
          err.flush();
          return e instanceof BadInput ? 2 : 1;
        });
    return cli;
  }
}
