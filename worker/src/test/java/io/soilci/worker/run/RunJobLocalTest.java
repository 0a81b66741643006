package io.soilci.worker.run;

import static org.assertj.core.api.Assertions.assertThat;

import io.soilci.result.JobMeta;
import io.soilci.result.JobMetaCodec;
import io.soilci.result.SiteLayout;
import io.soilci.result.TaskName;
import io.soilci.result.TaskRow;
import io.soilci.result.TaskRows;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** One job of every kind of task, run once through the CLI; each test reads one side of it. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RunJobLocalTest {
  private Path dir = Path.of("");

  private Checkout checkout;
  private final int childSeconds = 7000 + ThreadLocalRandom.current().nextInt(2000);

  private final List<String> events = new ArrayList<>();
  private Worker.Result result = new Worker.Result(-1, "", "");

  @BeforeAll
  void runAJobOfEveryKindOfTask(@TempDir Path tempDir) throws Exception {
    dir = tempDir;
    checkout =
        Checkout.create(dir, "Fix <b>the</b> parser")
            .script(
                "t/pass.sh",
                "echo \"pass $1\"; echo warning >&2\n"
                    + "mkdir -p _tmp/unit/sub; echo '<h1>unit</h1>' > _tmp/unit/index.html\n"
                    + "echo detail > _tmp/unit/sub/detail.txt")
            .script("t/fail.sh", "echo failing; exit 3")
            .script("t/hang.sh", Checkout.HANG_WITH_CHILD)
            .script("t/ps.sh", "ps -eo args")
            .script(
                "t/loud.sh",
                "i=0; while [ $i -lt 100 ]; do echo 0123456789012345678901234567890123456789;"
                    + " i=$((i+1)); done; exit 0")
            // Only what the test checks, so the log stays under the job's 1000-byte cap however
            // large the machine's environment is: the names it expects, and anything that looks
            // like a credential or holds the secret's value.
            .script(
                "t/env.sh",
                "env | grep -E '^(PASSED_VAR|PATH)=|TOKEN|SECRET|worker-secret' | sort");
    checkout.file("_tmp/other/secret.txt", "not a result");
    checkout.file(
        "tasks.txt",
        "# a job of every kind of task\n"
            + "pass  t/pass.sh one _tmp/unit/index.html\n"
            + "fail  t/fail.sh two -\n"
            + "hang  t/hang.sh "
            + childSeconds
            + " -\n"
            + "ps    t/ps.sh   after -\n"
            + "loud  t/loud.sh x -\n"
            + "env   t/env.sh  x -\n");
    result = runJob(events);
  }

  @AfterAll
  void endTheBackgroundedChildShouldItHaveSurvived() {
    // Only this test's own child: its argument is random.
    ProcessHandle.allProcesses()
        .filter(p -> p.info().commandLine().orElse("").contains("sleep " + childSeconds))
        .forEach(ProcessHandle::destroyForcibly);
  }

  private Map<String, String> workerEnv() {
    Map<String, String> env = new HashMap<>(System.getenv());
    env.put("SOIL_TOKEN", "worker-secret-1");
    env.put("UPLOAD_SECRET", "worker-secret-2");
    env.put("PASSED_VAR", "hello");
    env.put("GITHUB_ACTIONS", "true");
    env.put("GITHUB_RUN_NUMBER", "4101");
    env.remove("GITHUB_PR_NUMBER");
    return env;
  }

  private Worker.Result runJob(List<String> events) {
    return Worker.run(
        workerEnv(),
        job ->
            new JobListener() {
              @Override
              public void jobStarted(GitFacts commit) {
                events.add("start " + job);
              }

              @Override
              public void taskStarted(TaskName task) {
                events.add("task " + task);
              }

              @Override
              public void taskFinished(TaskRow row) {
                events.add("done " + row.name() + " " + row.status());
              }
            },
        "run-job",
        "cpp-small",
        "--checkout",
        dir.toString(),
        "--tasks",
        dir.resolve("tasks.txt").toString(),
        "--task-timeout",
        "30",
        "--task-timeout",
        "hang=3",
        "--log-cap",
        "1000",
        "--env",
        "PASSED_VAR");
  }

  @Test
  void runsEveryTaskAndExitsWithTheLargestStatus() throws Exception {
    assertThat(result.exit()).isEqualTo(124);
    List<TaskRow> rows = TaskRows.read(dir.resolve("_tmp/soil/out/cpp-small.tsv"), "tsv");
    assertThat(rows).extracting(TaskRow::status).containsExactly(0, 3, 124, 0, 0, 0);
    assertThat(rows)
        .extracting(r -> r.name() + " " + r.scriptName() + " " + r.func() + " " + r.resultsUrl())
        .containsExactly(
            "pass t/pass.sh one _tmp/unit/index.html",
            "fail t/fail.sh two -",
            "hang t/hang.sh " + childSeconds + " -",
            "ps t/ps.sh after -",
            "loud t/loud.sh x -",
            "env t/env.sh x -");
    assertThat(rows.get(2).elapsedSeconds()).isBetween(2.9, 10.0);
    assertThat(checkout.read("_tmp/soil/INDEX.tsv")).isEqualTo(TaskRows.format(rows));
    assertThat(events)
        .startsWith("start cpp-small", "task pass", "done pass 0", "task fail", "done fail 3")
        .hasSize(13);
  }

  @Test
  void printsOneLinePerTaskAndASummary() {
    List<String> lines = result.out().lines().toList();
    assertThat(lines).hasSize(8);
    assertThat(lines.get(0)).matches("\\[1/6\\] pass: status 0 in \\d+\\.\\d\\d s");
    assertThat(lines.get(1)).matches("\\[2/6\\] fail: status 3 \\(failed\\) in \\d+\\.\\d\\d s");
    assertThat(lines.get(2))
        .matches("\\[3/6\\] hang: status 124 \\(timed out after 3 s\\) in \\d+\\.\\d\\d s");
    assertThat(lines.get(6)).startsWith("packaged " + dir.resolve("_tmp/soil/out/cpp-small.wwz"));
    assertThat(lines.get(7))
        .matches(
            "job cpp-small failed: 2 of 6 tasks failed in 0:0\\d, exit status 124;"
                + " results in .*/_tmp/soil/out");
  }

  @Test
  void logsEachTasksOutputAndKillsWhatATimedOutTaskLeftRunning() throws Exception {
    assertThat(checkout.read("_tmp/soil/logs/pass.txt")).isEqualTo("pass one\nwarning\n");
    assertThat(checkout.read("_tmp/soil/logs/fail.txt")).isEqualTo("failing\n");
    // The background child was running before the timeout, and is gone after it.
    assertThat(checkout.read("_tmp/soil/logs/hang.txt"))
        .isEqualTo("sleep " + childSeconds + "\nwaiting\n");
    assertThat(checkout.read("_tmp/soil/logs/ps.txt")).doesNotContain("sleep " + childSeconds);
    assertThat(ProcessHandle.allProcesses())
        .noneMatch(p -> p.info().commandLine().orElse("").contains("sleep " + childSeconds));
  }

  @Test
  void cutsALogAtTheCapWithAMarkerWithoutFailingTheTask() throws Exception {
    String log = checkout.read("_tmp/soil/logs/loud.txt");
    assertThat(log).hasSize(1000 + CappedLog.marker(1000).length());
    assertThat(log).endsWith(CappedLog.marker(1000));
  }

  @Test
  void localTasksSeeNoCredentialOfTheWorker() throws Exception {
    String env = checkout.read("_tmp/soil/logs/env.txt");
    assertThat(env).contains("PASSED_VAR=hello", "PATH=");
    assertThat(env).doesNotContain("SOIL_TOKEN", "worker-secret-1", "UPLOAD_SECRET");
  }

  @Test
  void writesTheJsonWithSoilsKeysAndOurs() throws Exception {
    JobMeta meta = JobMetaCodec.read(dir.resolve("_tmp/soil/out/cpp-small.json"), "json");
    assertThat(meta.jobName().value()).isEqualTo("cpp-small");
    assertThat(meta.get(JobMeta.COMMIT_HASH)).contains(checkout.head());
    assertThat(meta.get(JobMeta.COMMIT_LINE)).contains("Fix <b>the</b> parser");
    assertThat(meta.get(JobMeta.COMMIT_DATE).orElseThrow()).matches("\\d{4}-\\d\\d-\\d\\dT.*");
    assertThat(meta.taskRunStartTime()).isPresent();
    assertThat(meta.get(JobMeta.TASK_DEPLOY_START_TIME).orElseThrow()).matches("\\d{10}");
    assertThat(meta.values())
        .containsEntry("provider", "local")
        .containsEntry("job-status", "124")
        .containsEntry("worker-host", "github")
        .containsEntry(JobMeta.GITHUB_RUN_NUMBER, "4101")
        .containsEntry(JobMeta.GITHUB_PR_NUMBER, null)
        .containsKeys(JobMeta.GITHUB_ENV.toArray(String[]::new))
        .doesNotContainKey(JobMeta.IMAGE_PULL_TIME)
        .doesNotContainKeys(JobMeta.TEST_COUNT_KEYS.toArray(String[]::new));
    assertThat(checkout.read("_tmp/soil/commit-hash.txt")).isEqualTo(checkout.head() + "\n");
  }

  @Test
  void packagesLogsMetadataAndTheResultFolderOnly() throws Exception {
    Path wwz = dir.resolve("_tmp/soil/out/cpp-small.wwz");
    List<String> names = new ArrayList<>();
    try (ZipFile zip = ZipFile.builder().setPath(wwz).get()) {
      for (ZipArchiveEntry e : java.util.Collections.list(zip.getEntries())) {
        names.add(e.getName());
      }
      String index =
          new String(
              zip.getInputStream(zip.getEntry("index.html")).readAllBytes(),
              StandardCharsets.UTF_8);
      assertThat(index).contains("_tmp/soil/logs/hang.txt", "_tmp/unit/index.html");
    }
    assertThat(names)
        .contains(
            "index.html",
            "_tmp/soil/INDEX.tsv",
            "_tmp/soil/job-name.txt",
            "_tmp/soil/commit-hash.txt",
            "_tmp/soil/task-run-start-time.txt",
            "_tmp/soil/logs/pass.txt",
            "_tmp/soil/logs/env.txt",
            "_tmp/unit/index.html",
            "_tmp/unit/sub/detail.txt")
        .doesNotContain("_tmp/other/secret.txt", "tasks.txt", SiteLayout.TEST_RESULTS)
        .doesNotHaveDuplicates();
    try (Stream<Path> out = Files.list(dir.resolve("_tmp/soil/out"))) {
      assertThat(out.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder("cpp-small.wwz", "cpp-small.tsv", "cpp-small.json");
    }
  }

  @Test
  void readsTheTaskListFromACommand(@TempDir Path own) throws Exception {
    smallCheckout(own);
    Worker.Result result =
        Worker.run(
            workerEnv(),
            "run-job",
            "dev-minimal",
            "--checkout",
            own.toString(),
            "--tasks-from",
            "printf 'a t/fail.sh x -\\nb t/pass.sh y -\\n'");

    assertThat(result.exit()).isEqualTo(3);
    assertThat(TaskRows.read(own.resolve("_tmp/soil/out/dev-minimal.tsv"), "tsv"))
        .extracting(r -> r.name() + " " + r.status())
        .containsExactly("a 3", "b 0");
  }

  @Test
  void stopsTheJobWhenItsTaskRunnerDiesAndRecordsTheTaskAs255(@TempDir Path own) throws Exception {
    Checkout mine = smallCheckout(own);
    // What the task prints after its runner died may be lost: the JDK closes a process's stdout
    // pipe once the process (here the runner) has exited, even while its children still write.
    mine.script("t/killer.sh", "echo killing; kill -9 $PPID; echo bye");
    mine.file("broken.txt", "killer t/killer.sh x -\nnext t/pass.sh y -\n");

    Worker.Result result =
        Worker.run(
            workerEnv(),
            "run-job",
            "broken",
            "--checkout",
            own.toString(),
            "--tasks",
            own.resolve("broken.txt").toString());

    assertThat(result.exit()).isEqualTo(255);
    assertThat(TaskRows.read(own.resolve("_tmp/soil/out/broken.tsv"), "tsv"))
        .extracting(r -> r.name() + " " + r.status())
        .containsExactly("killer 255");
    assertThat(mine.read("_tmp/soil/logs/killer.txt"))
        .startsWith("killing\n")
        .contains("[soil-worker: the task's outcome is unknown: the task runner ended");
    assertThat(result.out()).contains("stopped: the task runner ended", "1 task(s) not run");
  }

  @Test
  void aListenerThatThrowsDoesNotFailTheJob(@TempDir Path own) throws Exception {
    smallCheckout(own);
    Worker.Result result =
        Worker.run(
            workerEnv(),
            job ->
                new JobListener() {
                  @Override
                  public void taskFinished(TaskRow row) {
                    throw new IllegalStateException("server down");
                  }
                },
            "run-job",
            "listened",
            "--checkout",
            own.toString(),
            "--tasks-from",
            "echo 'a t/pass.sh x -'; echo 'b t/pass.sh y -'");

    assertThat(result.exit()).isZero();
    assertThat(result.err())
        .isEqualTo("soil-worker: reporting progress failed, the job goes on: server down\n");
    assertThat(own.resolve("_tmp/soil/out/listened.json")).exists();
  }

  /**
   * As Soil's worker, the commit recorded is the one checked out when the job started (git is asked
   * as the tasks start): a task that commits does not change the job's commit keys, and the
   * listener (the start event of --server) hears the same commit, from the same one git call.
   */
  @Test
  void recordsTheCommitCheckedOutWhenTheJobStarted(@TempDir Path own) throws Exception {
    Checkout mine = smallCheckout(own);
    String started = mine.head();
    mine.script(
        "t/commit.sh",
        "sleep 1; git -c user.name=Task -c user.email=task@soilci.io commit -q --allow-empty"
            + " -m 'made by a task'");

    List<String> heard = new ArrayList<>();
    Worker.Result result =
        Worker.run(
            workerEnv(),
            job ->
                new JobListener() {
                  @Override
                  public void jobStarted(GitFacts commit) {
                    heard.add(commit.get().getOrDefault(JobMeta.COMMIT_HASH, "none"));
                  }
                },
            "run-job",
            "committing",
            "--checkout",
            own.toString(),
            "--tasks-from",
            "echo 'commit t/commit.sh x -'");

    assertThat(result.exit()).isZero();
    assertThat(mine.head()).as("the task committed").isNotEqualTo(started);
    JobMeta meta = JobMetaCodec.read(own.resolve("_tmp/soil/out/committing.json"), "json");
    assertThat(meta.get(JobMeta.COMMIT_HASH)).contains(started);
    assertThat(meta.get(JobMeta.COMMIT_LINE)).contains("small");
    assertThat(heard).as("the commit the start event gets").containsExactly(started);
  }

  private static Checkout smallCheckout(Path own) throws Exception {
    return Checkout.create(own, "small")
        .script("t/pass.sh", "echo \"pass $1\"")
        .script("t/fail.sh", "echo failing; exit 3");
  }
}
