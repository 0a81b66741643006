package io.soilci.server.site;

/**
 * Told of each run retention deletes, with its folder from the site root ({@code
 * github-jobs/4101}), on the thread that deletes it while no writer is in the run: {@link #before}
 * its files go (they may be read), {@link #after} they went.
 */
public interface RunDeletions {
  void before(String runDir);

  void after(String runDir);
}
