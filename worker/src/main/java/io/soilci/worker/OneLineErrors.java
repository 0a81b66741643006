package io.soilci.worker;

import io.soilci.result.BadInput;
import java.util.Arrays;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/**
 * Turns an expected failure into one line on stderr and its exit status: bad input 2, a failure of
 * the environment 1; the stack trace only with {@code --verbose}.
 */
final class OneLineErrors implements IExecutionExceptionHandler {
  @Override
  public int handleExecutionException(Exception e, CommandLine cmd, ParseResult parsed) {
    boolean verbose =
        Arrays.asList(parsed.originalArgs().toArray(new String[0])).contains("--verbose");
    if (verbose || !(e instanceof BadInput || e instanceof WorkerFailure)) {
      e.printStackTrace(cmd.getErr());
    }
    cmd.getErr().println(cmd.getCommandName() + ": " + e.getMessage());
    return exitCode(e);
  }

  static int exitCode(Throwable e) {
    if (e instanceof BadInput || e instanceof CommandLine.ParameterException) {
      return WorkerMain.USAGE;
    }
    return WorkerMain.FAILURE;
  }
}
