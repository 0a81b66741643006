package io.soilci.worker;

import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/** Runs the worker's command line in-process and keeps what it printed. */
public final class Cli {
  /** Exit status, stderr and stdout of one run. */
  public record Result(int exit, String err, String out) {}

  private Cli() {}

  /** Runs {@code soil-worker ARGS}, with {@code command} standing in for its own class. */
  public static Result run(Object command, String... args) {
    CommandLine.IFactory defaults = CommandLine.defaultFactory();
    CommandLine.IFactory factory =
        new CommandLine.IFactory() {
          @Override
          public <K> K create(Class<K> type) throws Exception {
            return type.isInstance(command) ? type.cast(command) : defaults.create(type);
          }
        };
    return execute(WorkerMain.commandLine(factory), args);
  }

  public static Result run(String... args) {
    return execute(WorkerMain.commandLine(), args);
  }

  private static Result execute(CommandLine cli, String... args) {
    StringWriter err = new StringWriter();
    StringWriter out = new StringWriter();
    cli.setOut(new PrintWriter(out, true));
    int exit = cli.setErr(new PrintWriter(err, true)).execute(args);
    return new Result(exit, err.toString().strip(), out.toString());
  }
}
