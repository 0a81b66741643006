package io.soilci.worker;

import io.soilci.result.BadInput;
import io.soilci.worker.merge.MaybeMergeCommand;
import io.soilci.worker.publish.EventCommand;
import io.soilci.worker.publish.PublishCommand;
import io.soilci.worker.run.SoilVersion;
import io.soilci.worker.runjob.RunJobCommand;
import io.soilci.worker.workspace.WorkspaceCommand;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/** {@code soil-worker}: the root command; each subcommand is one thing a CI host asks for. */
@Command(
    name = "soil-worker",
    mixinStandardHelpOptions = true,
    versionProvider = WorkerMain.Version.class,
    description = "Runs Soil jobs and publishes their results.",
    subcommands = {
      RunJobCommand.class,
      PublishCommand.class,
      EventCommand.class,
      MaybeMergeCommand.class,
      WorkspaceCommand.class
    })
public final class WorkerMain implements Callable<Integer> {
  @Option(
      names = "--verbose",
      scope = ScopeType.INHERIT,
      description = "On failure, print the stack trace too.")
  boolean verbose;

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
    WorkerMain root = new WorkerMain();
    CommandLine cli = new CommandLine(root, factory);
    cli.setParameterExceptionHandler(
        (e, args) -> {
          CommandLine failed = e.getCommandLine();
          PrintWriter err = failed.getErr();
          err.println(
              "soil-worker: "
                  + e.getMessage()
                  + " (see '"
                  + failed.getCommandSpec().qualifiedName()
                  + " --help')");
          return 2;
        });
    cli.setExecutionExceptionHandler(
        (e, failed, parseResult) -> {
          PrintWriter err = failed.getErr();
          err.println("soil-worker: " + e.getMessage());
          if (root.verbose) {
            e.printStackTrace(err);
          }
          return e instanceof BadInput ? 2 : 1;
        });
    return cli;
  }

  /** With no command: the usage, exit 2. */
  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    return 2;
  }

  /** {@code --version}. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"soil-worker " + SoilVersion.get()};
    }
  }
}
