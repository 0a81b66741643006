package io.soilci.worker;

import java.io.PrintWriter;
import java.io.StringWriter;

/** Runs the worker's command line in-process and keeps what it printed to stderr. */
public final class Cli {
  /** Exit status and stderr of one run. */
  public record Result(int exit, String err) {}

  private Cli() {}

  public static Result run(Object command, String... args) {
    StringWriter err = new StringWriter();
    int exit = WorkerMain.commandLine(command).setErr(new PrintWriter(err, true)).execute(args);
    return new Result(exit, err.toString().strip());
  }

  public static Result run(String... args) {
    return run(new WorkerMain(), args);
  }
}
