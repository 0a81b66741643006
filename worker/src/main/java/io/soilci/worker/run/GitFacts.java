package io.soilci.worker.run;

import io.soilci.result.JobMeta;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The checked-out commit as Soil records it: hash, author date (ISO 8601) and subject, from one
 * {@code git log}. {@link #start} starts it and {@link #get} reads its answer, so that a job's
 * tasks run while git looks (Soil's worker too records the commit before the tasks run): a one-task
 * run-job waited ~20 ms for it after its tasks (docs/BENCHMARKS.md, "Worker start-up"). A job run
 * asks once and hands this to its listener, so the start event and {@code JOB.json} carry the same
 * answer: every {@link #get} after the first returns the first one's.
 */
public final class GitFacts {
  /** The most of git's output read: a hash, a date and one subject line. */
  private static final int MAX_OUTPUT = 64 * 1024;

  private final @Nullable Process git;
  private @Nullable Map<String, String> facts;

  private GitFacts(@Nullable Process git) {
    this.git = git;
  }

  /** Starts {@code git log} in {@code checkout} with exactly {@code env}. */
  public static GitFacts start(Path checkout, Map<String, String> env) {
    ProcessBuilder builder =
        new ProcessBuilder("git", "log", "-n", "1", "--pretty=format:%H%x00%aI%x00%s")
            .directory(checkout.toFile())
            .redirectError(ProcessBuilder.Redirect.DISCARD);
    builder.environment().clear();
    builder.environment().putAll(env);
    try {
      Process git = builder.start();
      git.getOutputStream().close();
      return new GitFacts(git);
    } catch (IOException e) {
      return new GitFacts(null); // no git on the PATH, or no such folder: no commit facts
    }
  }

  /**
   * {@code commit-hash}, {@code commit-date}, {@code commit-line}; empty when not a git checkout
   * (or git did not answer in 30 s, or was {@linkplain #cancel cancelled}). Waits for git the first
   * time; from any thread.
   */
  public synchronized Map<String, String> get() {
    Map<String, String> known = facts;
    if (known == null) {
      known = read();
      facts = known;
    }
    return known;
  }

  private Map<String, String> read() {
    if (git == null) {
      return Map.of();
    }
    try {
      String out = new String(git.getInputStream().readNBytes(MAX_OUTPUT), StandardCharsets.UTF_8);
      if (!git.waitFor(30, TimeUnit.SECONDS) || git.exitValue() != 0) {
        return Map.of();
      }
      String[] fields = out.split("\0", -1);
      if (fields.length != 3) {
        return Map.of();
      }
      Map<String, String> commit = new LinkedHashMap<>();
      commit.put(JobMeta.COMMIT_HASH, fields[0]);
      commit.put(JobMeta.COMMIT_DATE, fields[1]);
      commit.put(JobMeta.COMMIT_LINE, fields[2]);
      return Collections.unmodifiableMap(commit);
    } catch (IOException e) {
      return Map.of();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Map.of();
    } finally {
      git.destroyForcibly();
    }
  }

  /** Stops git if it still runs, without reading its answer. */
  public void cancel() {
    if (git != null) {
      git.destroyForcibly();
    }
  }
}
