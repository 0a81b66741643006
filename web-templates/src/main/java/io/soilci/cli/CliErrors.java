package io.soilci.cli;

import io.soilci.result.BadInput;
import java.io.PrintWriter;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * How both command lines end: exit 2 for bad usage or {@link BadInput}, 1 for any other failure;
 * one line on stderr naming the command, the stack trace only with {@code --verbose}.
 */
public final class CliErrors {
  public static final int FAILURE = 1;
  public static final int BAD_USAGE = 2;

  private CliErrors() {}

  /** Gives {@code cli} (a root command that mixes in {@link Verbose}) these exit statuses. */
  public static CommandLine apply(CommandLine cli) {
    String name = cli.getCommandName();
    cli.setParameterExceptionHandler((e, args) -> badUsage(name, e));
    cli.setExecutionExceptionHandler(
        (e, failed, parsed) -> failure(name, e, failed.getErr(), verbose(parsed)));
    return cli;
  }

  private static int badUsage(String name, ParameterException e) {
    CommandLine failed = e.getCommandLine();
    PrintWriter err = failed.getErr();
    err.println(
        name
            + ": "
            + e.getMessage()
            + " (see '"
            + failed.getCommandSpec().qualifiedName()
            + " --help')");
    // "Did you mean: soil-worker publish?" for a misspelled subcommand or option.
    UnmatchedArgumentException.printSuggestions(e, err);
    err.flush();
    return BAD_USAGE;
  }

  private static int failure(String name, Exception e, PrintWriter err, boolean verbose) {
    err.println(name + ": " + (e.getMessage() == null ? e.toString() : e.getMessage()));
    if (verbose) {
      e.printStackTrace(err);
    }
    err.flush();
    return e instanceof BadInput ? BAD_USAGE : FAILURE;
  }

  /** True when {@code --verbose} was given to the root or any subcommand on the way. */
  private static boolean verbose(@Nullable ParseResult parsed) {
    for (ParseResult level = parsed; level != null; level = level.subcommand()) {
      if (level.hasMatchedOption(Verbose.NAME)) {
        return true;
      }
    }
    return false;
  }
}
