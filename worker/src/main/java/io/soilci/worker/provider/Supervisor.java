package io.soilci.worker.provider;

import io.soilci.threads.Daemons;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongFunction;
import org.jspecify.annotations.Nullable;

/**
 * The worker's end of {@code supervisor.sh}, started once per job (as a local process or as a
 * container's main process, or one more per task run beside others): sends it one task at a time,
 * copies the task's output to its log, reads the status, and kills the task's process group when
 * its timeout fires. One thread at a time runs its tasks.
 */
final class Supervisor {
  /** How long a killed task may take to be reported before the instance counts as broken. */
  private static final Duration KILL_GRACE = Duration.ofSeconds(30);

  private static final String SCRIPT = readScript();

  private final Process process;
  private final OutputStream commands;
  private final MarkedStream output;
  private final String mark;
  private final LongFunction<List<String>> killCommand;
  private final Map<Long, Long> pids = new ConcurrentHashMap<>();
  private final Set<Long> running = ConcurrentHashMap.newKeySet();
  private final StderrTail stderr;
  private final ScheduledExecutorService timer;
  private long seq;

  private Supervisor(Process process, String mark, LongFunction<List<String>> killCommand) {
    this.process = process;
    this.commands = process.getOutputStream();
    this.output = new MarkedStream(process.getInputStream(), mark);
    this.mark = mark;
    this.killCommand = killCommand;
    this.timer = Executors.newSingleThreadScheduledExecutor(Daemons.named("soil-task-timer"));
    this.stderr = StderrTail.start(process.getErrorStream(), this::takePid);
  }

  /**
   * A fresh random mark, so that no task prints it by chance. Not a secret (the supervisor's
   * command line shows it), so not from {@code SecureRandom}, whose start (its providers, the
   * {@code java.security} file) a one-task job paid for nothing (docs/BENCHMARKS.md, "Worker
   * start-up").
   */
  static String newMark() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    HexFormat hex = HexFormat.of();
    return "soil-" + hex.toHexDigits(random.nextLong()) + hex.toHexDigits(random.nextLong());
  }

  /** The arguments that make {@code sh} run the supervisor with {@code mark}. */
  static List<String> shArguments(String mark) {
    return List.of("-c", SCRIPT, "soil-supervisor", mark);
  }

  /** The command that kills process group {@code pid} with {@code sh}'s {@code kill}. */
  static List<String> killArguments(long pid) {
    return List.of("sh", "-c", "kill -KILL -\"$1\"", "sh", Long.toString(pid));
  }

  /**
   * Starts {@code command} (which runs the supervisor with {@code mark}) and waits until it says it
   * is ready.
   *
   * @param killCommand the command that kills process group PID where the tasks run
   */
  static Supervisor start(
      List<String> command,
      Path dir,
      Map<String, String> env,
      String mark,
      LongFunction<List<String>> killCommand,
      Duration startTimeout)
      throws IOException {
    ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile());
    builder.environment().clear();
    builder.environment().putAll(env);
    Supervisor supervisor = new Supervisor(builder.start(), mark, killCommand);
    ScheduledFuture<?> deadline =
        supervisor.timer.schedule(
            supervisor.process::destroyForcibly, startTimeout.toMillis(), TimeUnit.MILLISECONDS);
    String word = supervisor.output.copyUntilMark(OutputStream.nullOutputStream());
    deadline.cancel(false);
    if (!"ready".equals(word)) {
      supervisor.close(Duration.ofSeconds(5));
      throw new IOException("it ended before starting: " + supervisor.stderr.lastLines());
    }
    return supervisor;
  }

  /** Runs one task; see {@link Instance#run}. */
  TaskResult run(TaskCommand task, Duration timeout, OutputStream log) {
    long id = ++seq;
    running.add(id);
    AtomicBoolean timedOut = new AtomicBoolean();
    ScheduledFuture<?> deadline =
        timer.schedule(() -> timeOut(id, timedOut), timeout.toMillis(), TimeUnit.MILLISECONDS);
    try {
      String line = id + " " + task.script() + " " + task.action() + "\n";
      commands.write(line.getBytes(StandardCharsets.UTF_8));
      commands.flush();
      String word = output.copyUntilMark(log);
      if (word == null) {
        // The runner died under the task (e.g. a Ctrl-C reached its process group); the task
        // leads its own session, so it would outlive it.
        Long pid = pids.get(id);
        if (pid != null) {
          killGroup(pid);
        }
        return TaskResult.infrastructureFailed("the task runner ended: " + stderr.lastLines());
      }
      int status = Integer.parseInt(word);
      return timedOut.get() ? TaskResult.timedOut() : TaskResult.completed(status);
    } catch (IOException | NumberFormatException e) {
      return TaskResult.infrastructureFailed("the task runner failed: " + e.getMessage());
    } finally {
      deadline.cancel(false);
      running.remove(id);
      pids.remove(id);
    }
  }

  /** On the timer thread: kills task {@code id}'s process group, then guards against a hang. */
  private void timeOut(long id, AtomicBoolean timedOut) {
    timedOut.set(true);
    Long pid = awaitPid(id);
    if (pid != null) {
      killGroup(pid);
    }
    // If the task is still not reported, the instance is broken: ending it ends the run's read.
    var unused =
        timer.schedule(
            () -> {
              if (running.contains(id)) {
                process.destroyForcibly();
              }
            },
            KILL_GRACE.toMillis(),
            TimeUnit.MILLISECONDS);
  }

  private void killGroup(long pid) {
    try {
      Process kill = new ProcessBuilder(killCommand.apply(pid)).redirectErrorStream(true).start();
      kill.getInputStream().transferTo(OutputStream.nullOutputStream());
      kill.waitFor(KILL_GRACE.toSeconds(), TimeUnit.SECONDS);
    } catch (IOException e) {
      stderr.remember("killing the timed-out task failed: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Kills the process group of the task running now, if any (the worker exits, the job was
   * cancelled); waits up to 5 s for the pid of a task that is just starting.
   */
  void killRunningTask() {
    for (long id : running) {
      Long pid = awaitPid(id);
      if (pid != null) {
        killGroup(pid);
      }
    }
  }

  /** The pid the supervisor reported for task {@code id}, waiting up to 5 s for it. */
  private @Nullable Long awaitPid(long id) {
    for (int i = 0; i < 100; i++) {
      Long pid = pids.get(id);
      if (pid != null) {
        return pid;
      }
      if (!process.isAlive() || !running.contains(id)) {
        return null;
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return null;
      }
    }
    return null;
  }

  /** Takes a line {@code MARK pid SEQ PID} the supervisor writes as a task starts. */
  private boolean takePid(String line) {
    String[] words = line.split(" ", -1);
    if (words.length != 4 || !words[0].equals(mark) || !words[1].equals("pid")) {
      return false;
    }
    try {
      pids.put(Long.parseLong(words[2]), Long.parseLong(words[3]));
      return true;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  /** The last lines the supervisor (or the container CLI) wrote to stderr, on one line. */
  String stderrTail() {
    return stderr.lastLines();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /**
   * Ends the supervisor: closes its input, waits up to {@code grace}, then kills it.
   *
   * @return true if it ended by itself
   */
  boolean close(Duration grace) {
    boolean ended = false;
    try {
      commands.close();
    } catch (IOException e) {
      // It is gone already.
    }
    try {
      ended = process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS);
      if (!ended) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      timer.shutdownNow();
    }
    return ended;
  }

  private static String readScript() {
    try (InputStream in = Supervisor.class.getResourceAsStream("supervisor.sh")) {
      if (in == null) {
        throw new IllegalStateException("supervisor.sh missing from the jar");
      }
      // Comment lines stay in the resource for readers, out of every process listing.
      return new String(in.readAllBytes(), StandardCharsets.UTF_8)
          .lines()
          .filter(line -> !line.strip().startsWith("#"))
          .collect(java.util.stream.Collectors.joining("\n", "", "\n"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
