package io.soilci.worker.agent;

import io.soilci.result.BadInput;
import io.soilci.worker.publish.ServerUri;
import io.soilci.worker.publish.Token;
import io.soilci.worker.runjob.StopSignals;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code agent}: takes jobs from the server's coordinator and runs them, {@code --capacity} at
 * once, until it is stopped.
 */
@Command(
    name = "agent",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Takes jobs from a Soil server's coordinator and runs them: long-polls for a job its labels"
          + " fit, clones the job's repository and checks out its commit, runs it as run-job"
          + " --server does (providers, workspaces, live log, publishing), renews its lease while"
          + " it runs and reports the outcome. The token (scopes agent and github-jobs) comes from"
          + " SOIL_TOKEN or --token-file. Runs until stopped: SIGTERM or SIGINT cancel its running"
          + " jobs (tasks killed, what ran published as cancelled, reported), and it exits 0. A"
          + " token the server refuses (for asking for jobs, or for publishing them, asked before"
          + " the first job) ends it with exit 2 and one line saying why, no job taken."
    })
public final class AgentCommand implements Callable<Integer> {
  private static final Pattern LABEL = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");

  @Option(names = "--server", required = true, paramLabel = "URL", description = "The server.")
  String server = "";

  @Option(
      names = "--token-file",
      paramLabel = "FILE",
      description = "File holding the agent's token NAME:SECRET. Default: SOIL_TOKEN.")
  @Nullable Path tokenFile;

  @Option(
      names = "--labels",
      paramLabel = "LIST",
      description =
          "What this agent offers, comma-separated (e.g. arm64,podman): it gets jobs whose labels"
              + " are all in the list. Default: none (only jobs that need no label).")
  String labels = "";

  @Option(
      names = "--capacity",
      paramLabel = "N",
      defaultValue = "1",
      description = "Jobs run at once, 1-64. Default: ${DEFAULT-VALUE}.")
  int capacity = 1;

  @Option(
      names = "--work-dir",
      paramLabel = "DIR",
      defaultValue = "soil-agent",
      description =
          "Where checkouts and job outputs go (one folder per job, deleted when reported)."
              + " Default: ${DEFAULT-VALUE}.")
  Path workDir = Path.of("soil-agent");

  @Option(
      names = "--poll-seconds",
      paramLabel = "SECONDS",
      defaultValue = "20",
      description = "How long one request for work waits on the server, 1-60. Default: 20.")
  int pollSeconds = 20;

  @Spec CommandSpec spec = CommandSpec.create();

  private final Map<String, String> environment;

  public AgentCommand() {
    this(System.getenv());
  }

  AgentCommand(Map<String, String> environment) {
    this.environment = Map.copyOf(environment);
  }

  @Override
  public Integer call() throws InterruptedException {
    if (capacity < 1 || capacity > 64) {
      throw new BadInput("--capacity " + capacity + " must be 1-64");
    }
    if (pollSeconds < 1 || pollSeconds > 60) {
      throw new BadInput("--poll-seconds " + pollSeconds + " must be 1-60");
    }
    List<String> list = new ArrayList<>();
    if (!labels.isEmpty()) {
      for (String label : labels.split(",", -1)) {
        if (!LABEL.matcher(label).matches()) {
          throw new BadInput(
              "--labels: label '"
                  + io.soilci.result.Printable.of(label)
                  + "' must be 1-64 lowercase letters, digits, '.', '_' or '-', starting with a"
                  + " letter or digit");
        }
        list.add(label);
      }
    }
    Token token = Token.find(tokenFile, environment);
    CoordinatorClient client = new CoordinatorClient(ServerUri.parse(server), token);
    PrintWriter out = spec.commandLine().getOut();
    Agent agent =
        new Agent(
            client,
            token.name(),
            String.join(",", list),
            capacity,
            Duration.ofSeconds(pollSeconds),
            workDir.toAbsolutePath(),
            server,
            tokenFile,
            environment,
            out,
            spec.commandLine().getErr());
    out.printf(
        "soil-worker agent %s: asking %s for jobs with labels [%s], %d at once%n",
        token.name(), client.base(), String.join(",", list), capacity);
    out.flush();
    try (StopSignals signals = StopSignals.handle(agent::stop, spec.commandLine().getErr())) {
      agent.run();
    }
    Optional<String> refusal = agent.refusal();
    if (refusal.isPresent()) {
      // Exit 2: the agent cannot work with this token; a supervisor must not take it for a stop.
      throw new BadInput(refusal.get());
    }
    out.printf("soil-worker agent %s: stopped%n", token.name());
    out.flush();
    return 0;
  }
}
