package io.soilci.worker;

import io.soilci.cli.CliErrors;
import io.soilci.cli.SoilVersion;
import io.soilci.cli.Verbose;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
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
    description = "Runs Soil jobs and publishes their results.")
public final class WorkerMain implements Callable<Integer> {
  /**
   * The subcommands' classes by name, in the order help lists them. picocli reads a command's
   * annotations (and its options' classes) when it is added, so {@link #main} adds only the one
   * asked for: a {@code run-job} starts without reading the others (docs/BENCHMARKS.md, "Worker
   * start-up"). Named, not class literals: the subcommands' packages use this one's {@code
   * WorkerFailure}, and a literal here would make a package cycle.
   */
  static final Map<String, String> SUBCOMMANDS = subcommands();

  private static Map<String, String> subcommands() {
    Map<String, String> commands = new LinkedHashMap<>();
    commands.put("run-job", "io.soilci.worker.runjob.RunJobCommand");
    commands.put("publish", "io.soilci.worker.publish.PublishCommand");
    commands.put("event", "io.soilci.worker.publish.EventCommand");
    commands.put("maybe-merge", "io.soilci.worker.merge.MaybeMergeCommand");
    commands.put("workspace", "io.soilci.worker.workspace.WorkspaceCommand");
    commands.put("submit", "io.soilci.worker.agent.SubmitCommand");
    commands.put("agent", "io.soilci.worker.agent.AgentCommand");
    commands.put("cancel-job", "io.soilci.worker.agent.CancelJobCommand");
    return Collections.unmodifiableMap(commands);
  }

  /** The subcommand's class; the names are this jar's own, so one missing is a broken build. */
  static Class<?> subcommand(String className) {
    try {
      return Class.forName(className);
    } catch (ClassNotFoundException e) {
      throw new IllegalStateException("the jar lacks its subcommand " + className, e);
    }
  }

  @Mixin Verbose verbose = new Verbose();

  @Spec CommandSpec spec = CommandSpec.create();

  public static void main(String[] args) {
    String asked = args.length == 0 ? null : SUBCOMMANDS.get(args[0]);
    CommandLine cli = new CommandLine(new WorkerMain(), CommandLine.defaultFactory());
    if (asked == null) {
      SUBCOMMANDS.values().forEach(name -> cli.addSubcommand(subcommand(name)));
    } else {
      cli.addSubcommand(subcommand(asked));
    }
    System.exit(CliErrors.apply(cli).execute(args));
  }

  /** The configured command line: exit 2 for bad usage, 1 for failure, one-line errors. */
  public static CommandLine commandLine() {
    return commandLine(CommandLine.defaultFactory());
  }

  /** The command line, every subcommand in it, whose commands {@code factory} makes. */
  public static CommandLine commandLine(CommandLine.IFactory factory) {
    CommandLine cli = new CommandLine(new WorkerMain(), factory);
    SUBCOMMANDS.values().forEach(name -> cli.addSubcommand(subcommand(name)));
    return CliErrors.apply(cli);
  }

  /** With no command: the usage, exit 2. */
  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    return CliErrors.BAD_USAGE;
  }
}
