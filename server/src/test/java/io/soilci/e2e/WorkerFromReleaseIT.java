package io.soilci.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How another project adopts Soil: the release artifact (release.sh), the action's fetch script
 * (checksum checked) and the CI script, used from a git repository that is not this one, against a
 * real server, with only the worker jar.
 */
class WorkerFromReleaseIT {
  @TempDir Path tmp;

  private Path release() throws Exception {
    Processes.Result made =
        Processes.run(
            tmp,
            Map.of(),
            120,
            Repo.ROOT.resolve("soil-scripts/release.sh").toString(),
            "--no-build",
            "--out",
            tmp.resolve("release").toString());
    assertThat(made.exit()).as(made.output()).isZero();
    List<String> lines = made.output().strip().lines().toList();
    return Path.of(lines.get(lines.size() - 1));
  }

  private static String version(Path release) {
    return release.getFileName().toString().substring("soil-".length());
  }

  private Processes.Result fetch(Path project, Path release, Path cache) throws Exception {
    return Processes.run(
        project,
        Map.of("SOIL_VERSION", version(release), "SOIL_RELEASE_URL", release.toUri().toString()),
        60,
        Repo.ROOT.resolve("soil-scripts/action/fetch-worker.sh").toString(),
        cache.toString());
  }

  private Path otherProject() throws Exception {
    Path project = Files.createDirectories(tmp.resolve("other-project"));
    Files.createDirectories(project.resolve("ci"));
    Files.writeString(project.resolve("ci/tasks.txt"), "unit ci/unit.sh all -\n");
    Path unit = Files.writeString(project.resolve("ci/unit.sh"), "#!/bin/sh\necho \"unit $1\"\n");
    unit.toFile().setExecutable(true);
    Git git = new Git(project);
    git.run("init", "-q", "-b", "main");
    git.run("add", ".");
    git.run("commit", "-q", "-m", "another project");
    return project;
  }

  @Test
  void anotherRepositoryRunsAndPublishesAJobWithTheReleasedWorker() throws Exception {
    Path release = release();
    String version = version(release);
    assertThat(release.resolve("soil-worker-" + version + ".jar")).exists();
    assertThat(release.resolve("soil-server-" + version + ".jar")).exists();
    Processes.Result sums =
        Processes.run(release, Map.of(), 30, "sha256sum", "--strict", "-c", "SHA256SUMS");
    assertThat(sums.exit()).as(sums.output()).isZero();

    Path project = otherProject();
    Path cache = tmp.resolve("cache");
    Processes.Result fetched = fetch(project, release, cache);
    assertThat(fetched.exit()).as(fetched.output()).isZero();
    Path jar = cache.resolve("soil-worker.jar");
    assertThat(fetched.output().strip()).isEqualTo(jar.toString());
    assertThat(jar).hasSameBinaryContentAs(release.resolve("soil-worker-" + version + ".jar"));

    try (ServerProcess server = new ServerProcess(Files.createDirectories(tmp.resolve("s")))) {
      Map<String, String> env = new HashMap<>();
      env.put("SOIL_WORKER_JAR", jar.toString());
      env.put("SOIL_SERVER", server.uri().toString());
      env.put("SOIL_TOKEN", server.token);
      env.put("GITHUB_ACTIONS", "true");
      env.put("GITHUB_RUN_NUMBER", "31");
      env.put("GITHUB_RUN_ID", "9031");
      env.put("GITHUB_REPOSITORY", "someone/other-project");

      Processes.Result job =
          Processes.run(
              project,
              env,
              120,
              Repo.ROOT.resolve("soil-scripts/github-actions.sh").toString(),
              "run-job",
              "unit",
              "ci/tasks.txt");

      assertThat(job.exit()).as(job.output()).isZero();
      assertThat(job.output()).contains("published github-jobs/31/unit").doesNotContain("building");
      assertThat(server.site.resolve("github-jobs/31/unit.json")).exists();
      assertThat(Files.readString(server.site.resolve("github-jobs/31/unit.json")))
          .contains(new Git(project).run("rev-parse", "HEAD"));
    }
  }

  @Test
  void aJarThatDoesNotMatchItsChecksumIsNotUsed() throws Exception {
    Path release = release();
    Path jar = release.resolve("soil-worker-" + version(release) + ".jar");
    Files.write(jar, new byte[] {0}, StandardOpenOption.APPEND);
    Path cache = tmp.resolve("cache2");

    Processes.Result fetched = fetch(otherProject(), release, cache);

    assertThat(fetched.exit()).isEqualTo(1);
    assertThat(fetched.output())
        .contains(
            "fetch-worker: soil-worker-"
                + version(release)
                + ".jar from "
                + release.toUri()
                + " does not match its SHA256SUMS: not used");
    assertThat(cache.resolve("soil-worker.jar")).doesNotExist();
  }
}
