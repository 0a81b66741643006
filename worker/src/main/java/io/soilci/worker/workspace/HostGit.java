package io.soilci.worker.workspace;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * git run on the host for a workspace's repositories: a first checkout (init, fetch, detached
 * checkout) or an update (fetch, and check out only when the ref moved). The remote URL stored in
 * the repository is the configured one; credentials come from {@link HostEnvironment#forGit}.
 */
final class HostGit {
  private static final Duration TIMEOUT = Duration.ofMinutes(30);

  /** Where the configured ref is fetched to in each workspace repository. */
  static final String FETCHED = "refs/soil/fetched";

  private final HostEnvironment host;
  private final Consumer<String> progress;

  HostGit(HostEnvironment host, Consumer<String> progress) {
    this.host = host;
    this.progress = progress;
  }

  /** Clones {@code repository} into {@code dir} (which must not exist); returns the commit. */
  String cloneInto(Repository repository, Path dir) {
    progress.accept(
        "cloning " + repository.url() + " (" + repository.ref() + ") into " + repository.path());
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new WorkspaceFailure("cannot create " + dir + ": " + e.getMessage(), e);
    }
    git(dir, repository.url(), "init", "-q");
    git(dir, repository.url(), "remote", "add", "origin", repository.url());
    fetch(repository, dir);
    return checkout(repository, dir);
  }

  /**
   * Fetches {@code repository}'s ref into the existing clone in {@code dir} and checks it out when
   * it no longer points at {@code commit}; returns the commit now checked out.
   */
  String update(Repository repository, Path dir, String commit) {
    progress.accept(
        "fetching " + repository.ref() + " of " + repository.url() + " in " + repository.path());
    fetch(repository, dir);
    String fetched = revParse(dir, repository.url(), FETCHED);
    if (fetched.equals(commit)) {
      return commit;
    }
    return checkout(repository, dir);
  }

  /**
   * Fetches the ref into {@link #FETCHED}. Nothing in the repository changes when the ref did not
   * move (no FETCH_HEAD written, no automatic gc), so an unchanged cache keeps its fingerprint.
   */
  private void fetch(Repository repository, Path dir) {
    git(
        dir,
        repository.url(),
        "-c",
        "gc.auto=0",
        "-c",
        "maintenance.auto=false",
        "fetch",
        "-q",
        "--no-tags",
        "--no-write-fetch-head",
        "origin",
        "+" + repository.ref() + ":" + FETCHED);
  }

  private String checkout(Repository repository, Path dir) {
    String commit = revParse(dir, repository.url(), FETCHED);
    progress.accept("checking out " + commit.substring(0, 12) + " in " + repository.path());
    git(dir, repository.url(), "checkout", "-q", "-f", "--detach", commit);
    return commit;
  }

  private String revParse(Path dir, String url, String rev) {
    return git(dir, url, "rev-parse", "--verify", "-q", rev + "^{commit}").strip();
  }

  private String git(Path dir, String url, String... args) {
    List<String> command = new ArrayList<>(List.of("git"));
    command.addAll(List.of(args));
    String verb = args[0].equals("-c") ? args[4] : args[0];
    return new Exec("git " + verb, command, dir, host.forGit(url), TIMEOUT).run(line -> {});
  }
}
