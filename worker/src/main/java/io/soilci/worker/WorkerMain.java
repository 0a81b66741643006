package io.soilci.worker;

import io.soilci.worker.merge.MaybeMergeCommand;
import io.soilci.worker.publish.EventCommand;
import io.soilci.worker.publish.PublishCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code soil-worker}: the root command; each subcommand does one part of a CI job. */
@Command(
    name = "soil-worker",
    mixinStandardHelpOptions = true,
    version = "soil-worker 0.1.0",
    description = "Runs CI jobs and publishes their results to a Soil server.",
    subcommands = {
      PublishCommand.class,
      EventCommand.class,
      MaybeMergeCommand.class,
      CommandLine.HelpCommand.class
    })
public final class WorkerMain {
  /** Exit status of an expected failure of the environment. */
  public static final int FAILURE = 1;

  /** Exit status of bad usage. */
  public static final int USAGE = 2;

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** The configured command line, for tests and for {@link #main}. */
  public static CommandLine commandLine() {
    return commandLine(new WorkerMain());
  }

  /** A command line for {@code command} with the worker's error handling. */
  public static CommandLine commandLine(Object command) {
    return new CommandLine(command)
        .setExecutionExceptionHandler(new OneLineErrors())
        .setExitCodeExceptionMapper(OneLineErrors::exitCode);
  }
}
