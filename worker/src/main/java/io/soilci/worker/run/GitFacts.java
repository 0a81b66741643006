package io.soilci.worker.run;

import io.soilci.result.JobMeta;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The checked-out commit as Soil records it: hash, author date (ISO 8601) and subject. */
public final class GitFacts {
  private GitFacts() {}

  /**
   * {@code commit-hash}, {@code commit-date}, {@code commit-line}; empty when not a git checkout.
   */
  public static Map<String, String> read(Path checkout, Map<String, String> env) {
    ProcessBuilder builder =
        new ProcessBuilder("git", "log", "-n", "1", "--pretty=format:%H%x00%aI%x00%s")
            .directory(checkout.toFile())
            .redirectError(ProcessBuilder.Redirect.DISCARD);
    builder.environment().clear();
    builder.environment().putAll(env);
    try {
      Process git = builder.start();
      git.getOutputStream().close();
      String out = new String(git.getInputStream().readNBytes(64 * 1024), StandardCharsets.UTF_8);
      if (!git.waitFor(30, TimeUnit.SECONDS) || git.exitValue() != 0) {
        git.destroyForcibly();
        return Map.of();
      }
      String[] fields = out.split("\0", -1);
      if (fields.length != 3) {
        return Map.of();
      }
      Map<String, String> facts = new LinkedHashMap<>();
      facts.put(JobMeta.COMMIT_HASH, fields[0]);
      facts.put(JobMeta.COMMIT_DATE, fields[1]);
      facts.put(JobMeta.COMMIT_LINE, fields[2]);
      return facts;
    } catch (IOException e) {
      return Map.of();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Map.of();
    }
  }
}
