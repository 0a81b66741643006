package io.soilci.worker.agent;

import com.fasterxml.jackson.databind.JsonNode;
import io.soilci.result.WorkerHost;
import io.soilci.threads.Daemons;
import io.soilci.worker.WorkerFailure;
import io.soilci.worker.run.StopSignal;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/**
 * The agent's loop: one thread per slot, each asking for a job, running it, reporting it. {@link
 * #stop} (SIGTERM, SIGINT) ends it: no more polls, the running jobs cancelled (their tasks killed,
 * what ran published as cancelled, reported as cancelled), a job handed out in the meantime given
 * back as a setup failure for another agent; {@link #run} returns once all are reported. Before its
 * first job it asks whether the server lets its token publish the jobs it would take; a refusal of
 * that (401, 403) or of a request for work ends it too, taking no more jobs: {@link #refusal}. A
 * 429 there is no refusal: the agent waits (the answer's {@code Retry-After}, else its backoff),
 * says so once on stderr, and asks again.
 */
final class Agent {
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

  /** The longest {@code Retry-After} of a 429 waited as it says; a longer one gets the backoff. */
  static final Duration MAX_RETRY_AFTER = Duration.ofMinutes(10);

  /** From a stop signal to the exit, at most: past it the agent exits without its reports. */
  static final Duration STOP_DEADLINE = Duration.ofSeconds(30);

  private final CoordinatorClient client;
  private final String name;
  private final String labels;
  private final int capacity;
  private final Duration poll;
  private final Path workDir;
  private final String server;
  private final @Nullable Path tokenFile;
  private final String tokenSource;
  private final Map<String, String> environment;
  private final PrintWriter out;
  private final PrintWriter err;
  private final AtomicBoolean throttled = new AtomicBoolean();
  private final AtomicReference<@Nullable StopSignal> stopped = new AtomicReference<>();
  private final AtomicReference<@Nullable String> refused = new AtomicReference<>();
  private volatile boolean mayPublish;
  private final Set<Thread> polling = ConcurrentHashMap.newKeySet();
  private final Set<AgentJob> running = ConcurrentHashMap.newKeySet();

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
      PrintWriter out,
      PrintWriter err) {
    this.client = client;
    this.name = name;
    this.labels = labels;
    this.capacity = capacity;
    this.poll = poll;
    this.workDir = workDir;
    this.server = server;
    this.tokenFile = tokenFile;
    this.tokenSource = tokenFile == null ? "SOIL_TOKEN" : "--token-file " + tokenFile;
    this.environment = environment;
    this.out = out;
    this.err = err;
  }

  /** Runs until stopped, or refused by the server ({@link #refusal}). */
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

  /** Why the server refused this agent, if it did: it then took no more jobs. */
  Optional<String> refusal() {
    return Optional.ofNullable(refused.get());
  }

  /** On the signal's thread: asks for no more jobs and cancels the running ones. */
  void stop(StopSignal stop) {
    if (!stopped.compareAndSet(null, stop)) {
      return;
    }
    say(
        "soil-worker agent "
            + name
            + ": "
            + stop.signalName()
            + ": asking for no more jobs; "
            + running.size()
            + " running cancelled (tasks killed, what ran published as cancelled, reported"
            + " cancelled); exit 0 once reported, at most "
            + STOP_DEADLINE.toSeconds()
            + " s from now");
    polling.forEach(Thread::interrupt);
    running.forEach(job -> job.stop(stop));
    Daemons.start(
        "soil-agent-stop-deadline",
        () -> {
          try {
            Thread.sleep(STOP_DEADLINE.toMillis());
          } catch (InterruptedException e) {
            return;
          }
          say(
              "soil-worker agent "
                  + name
                  + ": jobs not reported within "
                  + STOP_DEADLINE.toSeconds()
                  + " s of "
                  + stop.signalName()
                  + "; exiting without their reports (their leases run out)");
          System.exit(stop.exitStatus());
        });
  }

  private void slot() {
    Duration backoff = Duration.ofSeconds(1);
    Thread self = Thread.currentThread();
    while (stopped.get() == null && refused.get() == null) {
      Optional<JsonNode> job;
      polling.add(self);
      try {
        if (stopped.get() != null || refused.get() != null) {
          return;
        }
        checkPublishing();
        job = client.poll(labels, capacity, poll);
        backoff = Duration.ofSeconds(1);
        throttled.set(false);
      } catch (CoordinatorClient.Refused e) {
        if (e.status != 429) {
          refuse("agent " + name + ": " + e.getMessage() + "; it takes no more jobs");
          return;
        }
        if (!waitOut(e, backoff)) {
          return;
        }
        backoff = longer(backoff);
        continue;
      } catch (PublishingRefused e) {
        refuse(String.valueOf(e.getMessage()));
        return;
      } catch (CoordinatorClient.Unreachable | WorkerFailure e) {
        if (stopped.get() != null || refused.get() != null) {
          return;
        }
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
        backoff = longer(backoff);
        continue;
      } finally {
        polling.remove(self);
        // A stop's interrupt may land after the answer: the reports below must still be sent.
        Thread.interrupted();
      }
      job.ifPresent(this::run);
    }
  }

  private static Duration longer(Duration backoff) {
    Duration twice = backoff.multipliedBy(2);
    return twice.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : twice;
  }

  /**
   * After a 429 ({@code throttle}): waits as its {@code Retry-After} says when that is 1 s to
   * {@link #MAX_RETRY_AFTER}, else {@code backoff}; says so on stderr unless it was said since the
   * last answered poll. False when the agent stopped or was refused meanwhile.
   */
  private boolean waitOut(CoordinatorClient.Refused throttle, Duration backoff) {
    if (stopped.get() != null || refused.get() != null) {
      return false;
    }
    Duration asked = throttle.retryAfter;
    Duration wait = !asked.isZero() && asked.compareTo(MAX_RETRY_AFTER) <= 0 ? asked : backoff;
    if (throttled.compareAndSet(false, true)) {
      warn(
          "soil-worker agent "
              + name
              + ": server "
              + client.base()
              + " answered "
              + throttle.route
              + " with 429 ("
              + throttle.reason
              + "): waiting "
              + wait.toSeconds()
              + " s, then asking again (not said again while the server keeps answering 429)");
    }
    return sleep(wait);
  }

  /** The token may not publish the agent's jobs (401, 403 from {@code /credentials}). */
  private static final class PublishingRefused extends RuntimeException {
    private static final long serialVersionUID = 1L;

    PublishingRefused(String message) {
      super(message);
    }
  }

  /**
   * Until the server said once that the token may publish coordinator jobs (all of them go to
   * {@code github-jobs}): asks it ({@code POST /credentials}). Without that scope every job taken
   * would fail its setup when {@code run-job} asks the same; so the agent takes none. A server
   * without the check (404) leaves it to {@code run-job}; a 429 is waited out as a poll's is; any
   * other refusal is asked again later.
   */
  private void checkPublishing() {
    if (mayPublish) {
      return;
    }
    try {
      client.checkPublishing(WorkerHost.GITHUB.id());
    } catch (CoordinatorClient.Refused e) {
      if (e.status == 401 || e.status == 403) {
        throw new PublishingRefused(
            "agent "
                + name
                + ": server "
                + client.base()
                + " refused the token from "
                + tokenSource
                + " for publishing jobs (HTTP "
                + e.status
                + ": "
                + e.reason
                + "), so the agent takes no job: give "
                + tokenSource
                + " the NAME:SECRET that 'soil-server add-worker NAME --scopes agent,"
                + WorkerHost.GITHUB.prefix()
                + "' printed");
      }
      if (e.status == 429) {
        throw e; // too many failed logins from this address or for this name: waited out
      }
      if (e.status != 404) {
        // Any other refusal passes: asked again, as a poll is.
        throw new CoordinatorClient.Unreachable(
            "asking whether the token may publish: " + e.getMessage(), Duration.ZERO);
      }
    }
    mayPublish = true;
  }

  /** Ends the agent: no more polls (those in flight abandoned); running jobs finish. */
  private void refuse(String why) {
    if (refused.compareAndSet(null, why)) {
      polling.forEach(Thread::interrupt);
    }
  }

  private void run(JsonNode assignment) {
    AgentJob job =
        new AgentJob(client, name, assignment, workDir, server, tokenFile, environment, this::say);
    StopSignal stop = stopped.get();
    if (stop != null) {
      job.handBack(
          "agent '" + name + "' stopped (" + stop.signalName() + ") before the job started");
      return;
    }
    running.add(job);
    try {
      stop = stopped.get();
      if (stop != null) {
        job.stop(stop);
      }
      job.runAndReport();
    } finally {
      running.remove(job);
    }
  }

  private synchronized void say(String line) {
    out.println(line);
    out.flush();
  }

  private synchronized void warn(String line) {
    err.println(line);
    err.flush();
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
