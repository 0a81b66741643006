package io.soilci.worker.agent;

import com.fasterxml.jackson.databind.JsonNode;
import io.soilci.worker.WorkerFailure;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/** The agent's loop: one thread per slot, each asking for a job, running it, reporting it. */
final class Agent {
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

  private final CoordinatorClient client;
  private final String name;
  private final String labels;
  private final int capacity;
  private final Duration poll;
  private final Path workDir;
  private final String server;
  private final @Nullable Path tokenFile;
  private final Map<String, String> environment;
  private final PrintWriter out;

  Agent(
      CoordinatorClient client,
      String name,
      String labels,
      int capacity,
      Duration poll,
      Path workDir,
      String server,
      @Nullable Path tokenFile,
      Map<String, String> environment,
      PrintWriter out) {
    this.client = client;
    this.name = name;
    this.labels = labels;
    this.capacity = capacity;
    this.poll = poll;
    this.workDir = workDir;
    this.server = server;
    this.tokenFile = tokenFile;
    this.environment = environment;
    this.out = out;
  }

  /** Runs until the process ends. */
  void run() throws InterruptedException {
    List<Thread> slots = new ArrayList<>();
    for (int i = 0; i < capacity; i++) {
      Thread slot = new Thread(this::slot, "soil-agent-slot-" + (i + 1));
      slot.start();
      slots.add(slot);
    }
    for (Thread slot : slots) {
      slot.join();
    }
  }

  private void slot() {
    Duration backoff = Duration.ofSeconds(1);
    while (!Thread.currentThread().isInterrupted()) {
      Optional<JsonNode> job;
      try {
        job = client.poll(labels, capacity, poll);
        backoff = Duration.ofSeconds(1);
      } catch (CoordinatorClient.Refused e) {
        say("soil-worker agent " + name + ": " + e.getMessage() + "; stopping");
        return;
      } catch (CoordinatorClient.Unreachable | WorkerFailure e) {
        Duration wait =
            e instanceof CoordinatorClient.Unreachable u && !u.retryAfter.isZero()
                ? u.retryAfter
                : backoff;
        say(
            "soil-worker agent "
                + name
                + ": "
                + e.getMessage()
                + "; asking again in "
                + wait.toSeconds()
                + " s");
        if (!sleep(wait)) {
          return;
        }
        backoff =
            backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0
                ? MAX_BACKOFF
                : backoff.multipliedBy(2);
        continue;
      }
      job.ifPresent(
          assignment ->
              new AgentJob(client, assignment, workDir, server, tokenFile, environment, this::say)
                  .runAndReport());
    }
  }

  private synchronized void say(String line) {
    out.println(line);
    out.flush();
  }

  private static boolean sleep(Duration wait) {
    try {
      Thread.sleep(wait.toMillis());
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
