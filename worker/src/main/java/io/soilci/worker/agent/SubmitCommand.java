package io.soilci.worker.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.soilci.result.BadInput;
import io.soilci.worker.WorkerFailure;
import io.soilci.worker.publish.ServerUri;
import io.soilci.worker.publish.Token;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code submit}: queues a run's jobs on the server's coordinator, for agents to run. */
@Command(
    name = "submit",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Queues a run on a Soil server's coordinator: the commit (resolved in --repo-dir, with its"
          + " tree hash for result reuse), the repository agents clone, and the jobs, from"
          + " --jobs FILE (a JSON array, as POST /coordinator/submit takes it; a job's"
          + " \"tasksFile\" is read into \"tasks\") or from --job and the options after it."
          + " The token (scope submit) comes from SOIL_TOKEN or --token-file. Prints one line per"
          + " job: its id and whether it was queued or reused.",
      "Exit status: 0 queued; 2 refused (the server's reason printed); 1 no answer."
    })
public final class SubmitCommand implements Callable<Integer> {
  @Option(names = "--server", required = true, paramLabel = "URL", description = "The server.")
  String server = "";

  @Option(names = "--token-file", paramLabel = "FILE", description = "Default: SOIL_TOKEN.")
  @Nullable Path tokenFile;

  @Option(
      names = "--repository",
      required = true,
      paramLabel = "URL",
      description = "What agents clone: a URL, or a path on the agents' host.")
  String repository = "";

  @Option(
      names = "--commit",
      paramLabel = "REV",
      defaultValue = "HEAD",
      description = "The commit, resolved in --repo-dir. Default: ${DEFAULT-VALUE}.")
  String commit = "HEAD";

  @Option(
      names = "--repo-dir",
      paramLabel = "DIR",
      defaultValue = ".",
      description = "The local clone to resolve --commit and its tree in. Default: .")
  Path repoDir = Path.of(".");

  @Option(names = "--run-id", paramLabel = "RUN", description = "Default: soil-N, numbered.")
  @Nullable String runId;

  @Option(
      names = "--force",
      description = "Run every job, even one whose inputs already passed (no reuse).")
  boolean force;

  @Option(names = "--jobs", paramLabel = "FILE", description = "The jobs as a JSON array.")
  @Nullable Path jobsFile;

  @Option(names = "--job", paramLabel = "NAME", description = "One job's name (no --jobs).")
  @Nullable String job;

  @Option(names = "--tasks", paramLabel = "FILE", description = "--job's task list file.")
  @Nullable Path tasks;

  @Option(names = "--tasks-from", paramLabel = "CMD", description = "--job's task list command.")
  @Nullable String tasksFrom;

  @Option(names = "--provider", paramLabel = "NAME", description = "local, podman or docker.")
  @Nullable String provider;

  @Option(names = "--image", paramLabel = "IMAGE", description = "--job's container image.")
  @Nullable String image;

  @Option(
      names = "--workspace",
      paramLabel = "FILE",
      description = "--job's workspace file, relative to the checkout.")
  @Nullable String workspace;

  @Option(names = "--label", paramLabel = "LABEL", description = "A label --job needs (repeat).")
  List<String> labels = new ArrayList<>();

  @Option(names = "--timeout", paramLabel = "SECONDS", description = "Each task's timeout.")
  @Nullable Integer timeout;

  @Option(
      names = "--parallel",
      paramLabel = "N",
      description = "--job's tasks run up to N at once, as run-job --parallel N does.")
  @Nullable Integer parallel;

  @Option(
      names = "--env",
      paramLabel = "NAME=VALUE",
      description = "A variable --job's tasks get (repeat); part of its inputs.")
  List<String> env = new ArrayList<>();

  @Spec CommandSpec spec = CommandSpec.create();

  private final Map<String, String> environment;

  public SubmitCommand() {
    this(System.getenv());
  }

  SubmitCommand(Map<String, String> environment) {
    this.environment = Map.copyOf(environment);
  }

  @Override
  public Integer call() throws IOException {
    ObjectNode body = CoordinatorClient.JSON.createObjectNode();
    String hash = git("rev-parse", "--verify", commit + "^{commit}");
    body.put("commit", hash);
    body.put("tree", git("rev-parse", "--verify", hash + "^{tree}"));
    body.put("repository", repository);
    if (runId != null) {
      body.put("runId", runId);
    }
    body.put("force", force);
    body.set("jobs", jobs());
    CoordinatorClient client =
        new CoordinatorClient(ServerUri.parse(server), Token.find(tokenFile, environment));
    JsonNode answer;
    try {
      answer = client.submit(body);
    } catch (CoordinatorClient.Refused e) {
      throw new BadInput("submit " + e.getMessage());
    }
    PrintWriter out = spec.commandLine().getOut();
    for (JsonNode job : answer.path("jobs")) {
      out.printf(
          "%s %d %s/%s%s%n",
          job.path("state").asText(),
          job.path("id").asLong(),
          answer.path("runId").asText(),
          job.path("job").asText(),
          job.hasNonNull("reusedFrom") ? " (from " + job.get("reusedFrom").asText() + ")" : "");
    }
    out.flush();
    return 0;
  }

  private ArrayNode jobs() throws IOException {
    if (jobsFile != null) {
      if (job != null) {
        throw new BadInput("give --jobs FILE or --job NAME, not both");
      }
      JsonNode list;
      try {
        list = CoordinatorClient.JSON.readTree(Files.readString(jobsFile, StandardCharsets.UTF_8));
      } catch (IOException e) {
        throw new BadInput("--jobs " + jobsFile + " cannot be read as JSON: " + e.getMessage(), e);
      }
      if (!list.isArray()) {
        throw new BadInput("--jobs " + jobsFile + " must hold a JSON array of jobs");
      }
      Path base = jobsFile.toAbsolutePath().getParent();
      for (JsonNode node : list) {
        if (node instanceof ObjectNode one && one.hasNonNull("tasksFile")) {
          Path file =
              java.util.Objects.requireNonNull(base).resolve(one.remove("tasksFile").asText());
          one.put("tasks", Files.readString(file, StandardCharsets.UTF_8));
        }
      }
      return (ArrayNode) list;
    }
    if (job == null) {
      throw new BadInput("give the jobs: --jobs FILE, or --job NAME with --tasks or --tasks-from");
    }
    ObjectNode one = CoordinatorClient.JSON.createObjectNode();
    one.put("name", job);
    if (tasks != null) {
      one.put("tasks", Files.readString(tasks, StandardCharsets.UTF_8));
    }
    if (tasksFrom != null) {
      one.put("tasksFrom", tasksFrom);
    }
    if (provider != null) {
      one.put("provider", provider);
    }
    if (image != null) {
      one.put("image", image);
    }
    if (workspace != null) {
      one.put("workspace", workspace);
    }
    labels.forEach(one.putArray("labels")::add);
    if (timeout != null) {
      one.put("timeoutSeconds", timeout);
    }
    if (parallel != null) {
      one.put("parallel", parallel);
    }
    ObjectNode vars = one.putObject("env");
    for (String pair : env) {
      int eq = pair.indexOf('=');
      if (eq <= 0) {
        throw new BadInput("--env '" + pair + "' must be NAME=VALUE");
      }
      vars.put(pair.substring(0, eq), pair.substring(eq + 1));
    }
    ArrayNode list = CoordinatorClient.JSON.createArrayNode();
    list.add(one);
    return list;
  }

  private String git(String... args) {
    List<String> command = new ArrayList<>(List.of("git", "-C", repoDir.toString()));
    command.addAll(List.of(args));
    try {
      Process process =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
              .start();
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
        throw new BadInput(
            "--commit '"
                + commit
                + "' cannot be resolved in "
                + repoDir
                + ": "
                + output.strip().lines().findFirst().orElse("git failed"));
      }
      return output.strip();
    } catch (IOException e) {
      throw new WorkerFailure("cannot run git: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new WorkerFailure("interrupted", e);
    }
  }
}
