package io.soilci.worker.agent;

import com.fasterxml.jackson.databind.JsonNode;
import io.soilci.threads.Daemons;
import io.soilci.worker.WorkerFailure;
import io.soilci.worker.run.Cancellation;
import io.soilci.worker.run.GitFacts;
import io.soilci.worker.run.JobListener;
import io.soilci.worker.run.StopSignal;
import io.soilci.worker.runjob.RunJobCommand;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;

/**
 * One job an agent was given: checked out, run with {@code run-job}'s machinery in this process,
 * its lease renewed meanwhile, its outcome reported. What fails before the first task starts
 * (checkout, image, provider, workspace) is a setup failure, which the coordinator gives to another
 * agent; a job whose tasks ran is a result, whatever their status.
 */
final class AgentJob {
  private static final Duration REPORT_FOR = Duration.ofMinutes(10);

  private final CoordinatorClient client;
  private final String agentName;
  private final JsonNode assignment;
  private final long id;
  private final Path dir;
  private final String server;
  private final @Nullable Path tokenFile;
  private final Map<String, String> environment;
  private final Consumer<String> say;
  private final Cancellation cancellation = new Cancellation();
  private final AtomicBoolean leaseLost = new AtomicBoolean();
  // Set when the agent itself is stopping (SIGTERM): the cancel's reason says so.
  private volatile @Nullable StopSignal agentStopped;

  AgentJob(
      CoordinatorClient client,
      String agentName,
      JsonNode assignment,
      Path workDir,
      String server,
      @Nullable Path tokenFile,
      Map<String, String> environment,
      Consumer<String> say) {
    this.client = client;
    this.agentName = agentName;
    this.assignment = assignment;
    this.id = assignment.get("id").asLong();
    this.dir = workDir.resolve("jobs").resolve(id + "-" + assignment.path("attempt").asInt());
    this.server = server;
    this.tokenFile = tokenFile;
    this.environment = environment;
    this.say = say;
  }

  /** The outcome as the coordinator takes it. */
  private record Outcome(String outcome, int status, String reason) {}

  void runAndReport() {
    String what =
        "job "
            + id
            + " ("
            + assignment.path("runId").asText()
            + "/"
            + assignment.path("job").path("name").asText()
            + ")";
    say.accept("agent: " + what + ": started, attempt " + assignment.path("attempt").asInt());
    ScheduledExecutorService beats =
        Executors.newSingleThreadScheduledExecutor(Daemons.named("soil-agent-heartbeat-" + id));
    long every = Math.max(1, assignment.path("leaseSeconds").asLong(60) * 1000 / 3);
    var unused = beats.scheduleWithFixedDelay(this::heartbeat, every, every, TimeUnit.MILLISECONDS);
    Outcome outcome;
    try {
      outcome = run();
    } finally {
      beats.shutdownNow();
    }
    if (leaseLost.get()) {
      say.accept(
          "agent: " + what + ": lease lost, not reported (the coordinator gave it out again)");
    } else {
      report(outcome);
      say.accept(
          "agent: "
              + what
              + ": "
              + outcome.outcome()
              + " (status "
              + outcome.status()
              + (outcome.reason().isEmpty() ? "" : ", " + outcome.reason())
              + ")");
    }
    deleteQuietly(dir);
  }

  /** The agent is stopping: the job is cancelled (its task killed, what ran published). */
  void stop(StopSignal stop) {
    agentStopped = stop;
    if (cancellation.cancel(stop)) {
      say.accept("agent: job " + id + ": " + stop.signalName() + "; killing its tasks");
    }
  }

  /** Gives the job back unstarted, as a setup failure, so that another agent takes it. */
  void handBack(String reason) {
    report(new Outcome("setup-failed", 1, reason));
    say.accept("agent: job " + id + ": given back (" + reason + ")");
  }

  private void heartbeat() {
    try {
      JsonNode answer = client.heartbeat(id);
      if (answer.path("cancel").asBoolean() && cancellation.cancel(StopSignal.TERM)) {
        say.accept("agent: job " + id + ": cancelled on the coordinator; killing its tasks");
      }
    } catch (CoordinatorClient.Refused e) {
      // The lease is gone (expired, or the job is someone else's now): stop working on it.
      leaseLost.set(true);
      cancellation.cancel(StopSignal.TERM);
      say.accept("agent: job " + id + ": " + e.getMessage() + "; stopping it");
    } catch (CoordinatorClient.Unreachable | WorkerFailure e) {
      say.accept("agent: job " + id + ": heartbeat failed: " + e.getMessage() + "; trying again");
    }
  }

  private Outcome run() {
    AtomicBoolean started = new AtomicBoolean();
    try {
      Files.createDirectories(dir);
      Path checkout = dir.resolve("checkout");
      checkout(checkout);
      List<String> args = arguments(checkout);
      Map<String, String> env = new HashMap<>(environment);
      // Into JOB.json as "agent" and "coordinator-job" (run.JobMetadata reads them).
      env.put("SOIL_AGENT", agentName);
      env.put("SOIL_COORDINATOR_JOB", Long.toString(id));
      assignment
          .path("job")
          .path("env")
          .properties()
          .forEach(e -> env.put(e.getKey(), e.getValue().asText()));
      JobListener listener =
          new JobListener() {
            @Override
            public void jobStarted(GitFacts commit) {
              started.set(true);
            }
          };
      RunJobCommand command = new RunJobCommand(job -> listener, env, cancellation);
      try (PrintWriter log =
          new PrintWriter(
              Files.newBufferedWriter(dir.resolve("run-job.log"), StandardCharsets.UTF_8), true)) {
        CommandLine cli = new CommandLine(command);
        cli.setOut(log);
        cli.setErr(log);
        cli.parseArgs(args.toArray(String[]::new));
        int status = command.call();
        if (cancellation.signal().isPresent()) {
          StopSignal stop = agentStopped;
          return new Outcome(
              "cancelled",
              status,
              stop == null
                  ? "cancelled: its tasks were killed"
                  : "cancelled: the agent stopped ("
                      + stop.signalName()
                      + "), its tasks were killed");
        }
        if (!started.get()) {
          return new Outcome(
              "setup-failed", 1, "the job did not start: " + lastLine(dir.resolve("run-job.log")));
        }
        return new Outcome(status == 0 ? "passed" : "failed", status, "");
      }
    } catch (SetupFailure e) {
      return new Outcome("setup-failed", 1, String.valueOf(e.getMessage()));
    } catch (RuntimeException | IOException e) {
      String reason = java.util.Objects.requireNonNullElse(e.getMessage(), e.toString());
      if (started.get()) {
        return new Outcome(cancellation.signal().isPresent() ? "cancelled" : "failed", 255, reason);
      }
      return new Outcome("setup-failed", 1, reason);
    }
  }

  private List<String> arguments(Path checkout) throws IOException {
    JsonNode job = assignment.get("job");
    List<String> args = new ArrayList<>();
    args.add(job.get("name").asText());
    if (job.hasNonNull("tasks")) {
      Path tasks = Files.writeString(dir.resolve("tasks.txt"), job.get("tasks").asText());
      args.add("--tasks");
      args.add(tasks.toString());
    } else {
      args.add("--tasks-from");
      args.add(job.get("tasksFrom").asText());
    }
    if (job.hasNonNull("workspace")) {
      args.add("--workspace");
      args.add(checkout.resolve(job.get("workspace").asText()).toString());
    } else {
      args.add("--checkout");
      args.add(checkout.toString());
      if (job.hasNonNull("image")) {
        args.add("--image");
        args.add(job.get("image").asText());
      }
    }
    args.add("--out");
    args.add(dir.resolve("out").toString());
    args.add("--provider");
    args.add(job.path("provider").asText("local"));
    args.add("--task-timeout");
    args.add(Integer.toString(job.path("timeoutSeconds").asInt(900)));
    if (job.path("parallel").asInt(1) > 1) {
      args.add("--parallel");
      args.add(Integer.toString(job.get("parallel").asInt()));
    }
    job.path("env")
        .fieldNames()
        .forEachRemaining(
            name -> {
              args.add("--env");
              args.add(name);
            });
    args.add("--server");
    args.add(server);
    if (tokenFile != null) {
      args.add("--token-file");
      args.add(tokenFile.toString());
    }
    args.add("--worker-host");
    args.add(assignment.path("workerHost").asText("github"));
    args.add("--run-id");
    args.add(assignment.get("runId").asText());
    return args;
  }

  /** A failure before the job could start: reported as setup-failed. */
  private static final class SetupFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    SetupFailure(String message) {
      super(message);
    }
  }

  private void checkout(Path checkout) {
    String repository = assignment.get("repository").asText();
    String commit = assignment.get("commit").asText();
    git(dir, "clone", "--quiet", "--no-checkout", "--", repository, checkout.toString());
    git(checkout, "checkout", "--quiet", "--detach", commit);
  }

  private void git(Path in, String... args) {
    List<String> command = new ArrayList<>(List.of("git", "-c", "advice.detachedHead=false"));
    command.addAll(List.of(args));
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .directory(in.toFile())
            .redirectErrorStream(true)
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    builder.environment().put("GIT_TERMINAL_PROMPT", "0");
    try {
      Process process = builder.start();
      byte[] output = process.getInputStream().readAllBytes();
      if (!process.waitFor(10, TimeUnit.MINUTES)) {
        process.destroyForcibly();
        throw new SetupFailure("checkout failed: git " + args[0] + " took over 10 minutes");
      }
      if (process.exitValue() != 0) {
        throw new SetupFailure(
            "checkout failed: git "
                + args[0]
                + " exited "
                + process.exitValue()
                + ": "
                + lastLine(new String(output, StandardCharsets.UTF_8)));
      }
    } catch (IOException e) {
      throw new SetupFailure("checkout failed: cannot run git: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SetupFailure("checkout interrupted");
    }
  }

  private void report(Outcome outcome) {
    long deadline = System.nanoTime() + REPORT_FOR.toNanos();
    Duration backoff = Duration.ofSeconds(1);
    while (true) {
      try {
        client.outcome(id, outcome.outcome(), outcome.status(), outcome.reason());
        return;
      } catch (CoordinatorClient.Refused e) {
        say.accept(
            "agent: job " + id + ": outcome " + outcome.outcome() + " refused: " + e.getMessage());
        return;
      } catch (CoordinatorClient.Unreachable | WorkerFailure e) {
        if (System.nanoTime() - deadline > 0) {
          say.accept("agent: job " + id + ": outcome not reported: " + e.getMessage());
          return;
        }
        try {
          Thread.sleep(backoff.toMillis());
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          return;
        }
        backoff = backoff.toSeconds() >= 16 ? backoff : backoff.multipliedBy(2);
      }
    }
  }

  private static String lastLine(Path file) {
    try {
      return lastLine(Files.readString(file, StandardCharsets.UTF_8));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  private static String lastLine(String text) {
    List<String> lines = text.strip().lines().toList();
    String line = lines.isEmpty() ? "" : lines.get(lines.size() - 1);
    return line.length() > 500 ? line.substring(0, 500) + "…" : line;
  }

  private static void deleteQuietly(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException | RuntimeException e) {
      // Left for the next job's clean-up; a full disk shows in the next checkout.
    }
  }
}
