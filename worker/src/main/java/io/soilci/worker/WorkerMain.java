package io.soilci.worker;

import io.soilci.cli.CliErrors;
import io.soilci.cli.SoilVersion;
import io.soilci.cli.Verbose;
import io.soilci.worker.agent.AgentCommand;
import io.soilci.worker.agent.CancelJobCommand;
import io.soilci.worker.agent.SubmitCommand;
import io.soilci.worker.merge.MaybeMergeCommand;
import io.soilci.worker.publish.EventCommand;
import io.soilci.worker.publish.PublishCommand;
import io.soilci.worker.runjob.RunJobCommand;
import io.soilci.worker.workspace.WorkspaceCommand;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code soil-worker}: the root command; each subcommand is one thing a CI host asks for. */
@Command(
    name = "soil-worker",
    mixinStandardHelpOptions = true,
    versionProvider = SoilVersion.class,
    description = "Runs Soil jobs and publishes their results.",
    subcommands = {
      RunJobCommand.class,
      PublishCommand.class,
      EventCommand.class,
      MaybeMergeCommand.class,
      WorkspaceCommand.class,
      SubmitCommand.class,
      AgentCommand.class,
      CancelJobCommand.class
    })
public final class WorkerMain implements Callable<Integer> {
  @Mixin Verbose verbose = new Verbose();

  @Spec CommandSpec spec = CommandSpec.create();

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** The configured command line: exit 2 for bad usage, 1 for failure, one-line errors. */
  public static CommandLine commandLine() {
    return commandLine(CommandLine.defaultFactory());
  }

  /** The command line whose commands {@code factory} makes (tests give theirs). */
  public static CommandLine commandLine(CommandLine.IFactory factory) {
    return CliErrors.apply(new CommandLine(new WorkerMain(), factory));
  }

  /** With no command: the usage, exit 2. */
  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    return CliErrors.BAD_USAGE;
  }
}
