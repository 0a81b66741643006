package io.soilci.worker.run;

import io.soilci.result.JobName;
import io.soilci.worker.WorkerMain;
import io.soilci.worker.runjob.RunJobCommand;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import java.util.function.Function;
import picocli.CommandLine;

/** Runs {@code soil-worker} in this JVM with a given environment, capturing its output. */
final class Worker {
  record Result(int exit, String out, String err) {}

  private Worker() {}

  static Result run(Map<String, String> env, String... args) {
    return run(env, job -> JobListener.NONE, args);
  }

  static Result run(
      Map<String, String> env, Function<JobName, JobListener> listeners, String... args) {
    CommandLine.IFactory factory =
        new CommandLine.IFactory() {
          @Override
          public <K> K create(Class<K> type) throws Exception {
            if (type == RunJobCommand.class) {
              return type.cast(new RunJobCommand(listeners, env));
            }
            return CommandLine.defaultFactory().create(type);
          }
        };
    CommandLine cli = WorkerMain.commandLine(factory);
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int exit = cli.execute(args);
    return new Result(exit, out.toString(), err.toString());
  }
}
