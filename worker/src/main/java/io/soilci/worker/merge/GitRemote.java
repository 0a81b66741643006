package io.soilci.worker.merge;

import io.soilci.worker.WorkerFailure;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Fast-forwards a branch on any git remote with {@code git push REMOTE SHA:refs/heads/BRANCH}
 * (never forced, so git itself refuses a non-fast-forward), run in a checkout that has SHA.
 */
final class GitRemote implements BranchUpdate {
  private static final long TIMEOUT_SECONDS = 300;

  private final String remote;
  private final Path checkout;

  GitRemote(String remote, Path checkout) {
    this.remote = remote;
    this.checkout = checkout;
  }

  @Override
  public String describe(String branch) {
    return "branch " + branch + " of " + remote;
  }

  @Override
  public void fastForward(String branch, String sha) {
    List<String> command =
        List.of("git", "push", "--porcelain", remote, sha + ":refs/heads/" + branch);
    Result result = run(command);
    if (result.status == 0) {
      return;
    }
    if (result.output.contains("[rejected]") || result.output.contains("non-fast-forward")) {
      throw new WorkerFailure(
          "refused: "
              + sha
              + " is not a fast-forward of "
              + describe(branch)
              + "; the branch moved on, run again on its new head");
    }
    throw new WorkerFailure(
        "git push to "
            + describe(branch)
            + " failed (exit "
            + result.status
            + "): "
            + lastLine(result.output)
            + "; check --git-remote and that "
            + checkout
            + " has commit "
            + sha);
  }

  private record Result(int status, String output) {}

  private Result run(List<String> command) {
    try {
      Process process =
          new ProcessBuilder(command)
              .directory(checkout.toFile())
              .redirectErrorStream(true)
              .start();
      process.getOutputStream().close();
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new WorkerFailure("git push to " + remote + " took over " + TIMEOUT_SECONDS + " s");
      }
      return new Result(process.exitValue(), output);
    } catch (IOException e) {
      throw new WorkerFailure("cannot run git in " + checkout + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new WorkerFailure("interrupted while running git push", e);
    }
  }

  private static String lastLine(String output) {
    List<String> lines = output.strip().lines().toList();
    return lines.isEmpty() ? "(no output)" : lines.get(lines.size() - 1);
  }
}
