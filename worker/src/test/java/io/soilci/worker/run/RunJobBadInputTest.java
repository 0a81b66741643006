package io.soilci.worker.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each bad input exits 2 (usage) or 1 (environment) with one line, and --out is untouched. */
class RunJobBadInputTest {
  @TempDir Path dir;

  private Path out;
  private Path tasks;

  @BeforeEach
  void createCheckoutWithAnEarlierResult() throws Exception {
    Checkout checkout = Checkout.create(dir, "subject");
    tasks = checkout.file("tasks.txt", "a true x -\n");
    out = dir.resolve("out");
    Files.createDirectories(out);
    Files.writeString(out.resolve("job.json"), "{\"job-name\": \"job\"}\n");
  }

  private Worker.Result run(Map<String, String> env, String... args) {
    List<String> all =
        new java.util.ArrayList<>(
            List.of("run-job", "job", "--checkout", dir.toString(), "--out", out.toString()));
    all.addAll(List.of(args));
    return Worker.run(env, all.toArray(String[]::new));
  }

  private Worker.Result run(String... args) {
    return run(System.getenv(), args);
  }

  private Path taskFile(String text) throws Exception {
    return Files.writeString(dir.resolve("bad.txt"), text);
  }

  private void assertRejected(Worker.Result result, int exit, String line) throws Exception {
    assertThat(result.err()).isEqualTo("soil-worker: " + line + "\n");
    assertThat(result.exit()).isEqualTo(exit);
    assertThat(result.out()).isEmpty();
    try (Stream<Path> files = Files.list(out)) {
      assertThat(files).containsExactly(out.resolve("job.json"));
    }
    assertThat(Files.readString(out.resolve("job.json"))).isEqualTo("{\"job-name\": \"job\"}\n");
    assertThat(dir.resolve("_tmp/soil/logs")).doesNotExist();
  }

  @Test
  void rejectsAnUnknownProvider() throws Exception {
    Worker.Result result = run("--tasks", tasks.toString(), "--provider", "kube");

    assertRejected(
        result, 2, "provider 'kube' must be one of local, podman, docker; fix --provider");
  }

  @Test
  void rejectsAMalformedTaskLineNamingItsLine() throws Exception {
    Path bad = taskFile("a true x -\n# fine\nb true x\n");

    Worker.Result result = run("--tasks", bad.toString());

    assertRejected(
        result,
        2,
        "tasks file '"
            + bad
            + "' line 3: expected 4 fields 'task_name script action result_html' ('-' for no"
            + " result), got 3: 'b true x'");
  }

  @Test
  void rejectsDuplicateTaskNames() throws Exception {
    Path bad = taskFile("a true x -\na true y -\n");

    Worker.Result result = run("--tasks", bad.toString());

    assertRejected(
        result, 2, "tasks file '" + bad + "' line 2: task name 'a' repeats (first on line 1)");
  }

  @Test
  void rejectsATaskNameThatWouldLeaveTheLogFolder() throws Exception {
    Path bad = taskFile("../escape true x -\n");

    Worker.Result result = run("--tasks", bad.toString());

    assertRejected(
        result,
        2,
        "tasks file '"
            + bad
            + "' line 1: task name '../escape' must be 1-100 letters, digits, '.', '_' or '-',"
            + " starting with a letter or digit");
  }

  @Test
  void rejectsAMissingTasksFile() throws Exception {
    Path missing = dir.resolve("nope.txt");

    Worker.Result result = run("--tasks", missing.toString());

    assertRejected(result, 2, "tasks file '" + missing + "' does not exist; fix --tasks");
  }

  @Test
  void rejectsANulByteInATaskFieldNamingTheFileLineAndField() throws Exception {
    Path bad = taskFile("a true x -\nb tr\0ue x -\n");

    Worker.Result result = run("--tasks", bad.toString());

    assertRejected(
        result,
        2,
        "tasks file '"
            + bad
            + "' line 2: field 2 (script) holds the control character U+0000 at character 3;"
            + " a task line must be printable text (control characters would corrupt JOB.tsv):"
            + " remove it");
  }

  @Test
  void rejectsOtherControlCharactersInATaskField() throws Exception {
    Path bad = taskFile("a true x\u001b[31m -\n");

    Worker.Result result = run("--tasks", bad.toString());

    assertRejected(
        result,
        2,
        "tasks file '"
            + bad
            + "' line 1: field 3 (action) holds the control character U+001B at character 2;"
            + " a task line must be printable text (control characters would corrupt JOB.tsv):"
            + " remove it");
  }

  @Test
  void aMissingRelativeTasksFileNamesBothPlacesItCouldMean() throws Exception {
    Path cwd = Path.of("").toAbsolutePath();

    Worker.Result result = run("--tasks", "tasks.txt");

    assertRejected(
        result,
        2,
        "tasks file 'tasks.txt' does not exist in the current directory "
            + cwd
            + " (a relative --tasks is read from there, not from --checkout); the checkout has "
            + dir.resolve("tasks.txt")
            + ": give --tasks "
            + dir.resolve("tasks.txt"));
  }

  @Test
  void aMissingRelativeTasksFileFoundNowhereSaysSo() throws Exception {
    Path cwd = Path.of("").toAbsolutePath();

    Worker.Result result = run("--tasks", "nope.txt");

    assertRejected(
        result,
        2,
        "tasks file 'nope.txt' does not exist in the current directory "
            + cwd
            + " (a relative --tasks is read from there, not from --checkout), nor does "
            + dir.resolve("nope.txt")
            + "; fix --tasks");
  }

  @Test
  void rejectsNoTaskList() throws Exception {
    Worker.Result result = run();

    assertRejected(
        result, 2, "give the task list with exactly one of --tasks FILE or --tasks-from CMD");
  }

  @Test
  void rejectsAContainerProviderWithoutAnImage() throws Exception {
    Worker.Result result = run("--tasks", tasks.toString(), "--provider", "podman");

    assertRejected(result, 2, "--provider podman needs --image IMAGE, the image tasks run in");
  }

  @Test
  void rejectsABadJobName() throws Exception {
    Worker.Result result =
        Worker.run(
            System.getenv(),
            "run-job",
            "a/b",
            "--out",
            out.toString(),
            "--tasks",
            tasks.toString());

    assertRejected(
        result,
        2,
        "jobName 'a/b' must be 1-100 letters, digits, '.', '_' or '-', starting with a letter or"
            + " digit");
  }

  @Test
  void rejectsAnUnknownOptionWithAPointerToHelp() throws Exception {
    Worker.Result result = run("--tasks", tasks.toString(), "--bogus");

    assertRejected(result, 2, "Unknown option: '--bogus' (see 'soil-worker run-job --help')");
  }

  @Test
  void failsWhenTheContainerCliIsNotInstalled() throws Exception {
    Map<String, String> env = new HashMap<>(System.getenv());
    env.put("PATH", dir.resolve("empty-bin").toString());

    Worker.Result result =
        run(env, "--tasks", tasks.toString(), "--provider", "docker", "--image", "busybox");

    assertRejected(
        result,
        1,
        "container CLI 'docker' not found on the PATH; install it, or give its path with"
            + " --container-cli");
  }

  @Test
  void failsWhenTheGivenContainerCliIsNoExecutable() throws Exception {
    Worker.Result result =
        run(
            "--tasks",
            tasks.toString(),
            "--provider",
            "docker",
            "--image",
            "busybox",
            "--container-cli",
            "/nonexistent/docker");

    assertRejected(
        result,
        1,
        "container CLI '/nonexistent/docker' is not an executable file; fix --container-cli");
  }

  @Test
  void failsWhenTheTasksCommandFails() throws Exception {
    Worker.Result result = run("--tasks-from", "echo 'a true x -'; exit 4");

    assertRejected(
        result,
        1,
        "--tasks-from 'echo 'a true x -'; exit 4' exited with status 4; run it by hand to see why");
  }

  @Test
  void withVerboseAFailureAlsoShowsTheStackTrace() {
    Worker.Result result = run("--tasks", tasks.toString(), "--provider", "kube", "--verbose");

    assertThat(result.exit()).isEqualTo(2);
    assertThat(result.err())
        .startsWith("soil-worker: provider 'kube' must be one of")
        .contains("io.soilci.result.BadInput", "\tat ");
  }

  @Test
  void failsWhenTheTasksCommandLeavesAProcessHoldingItsOutputOpen() throws Exception {
    // The command prints its list, then exits while what it started in the background still
    // holds its output (a pipe read to its end would wait for that process).
    String command = "echo 'a true x -'; sleep 611 & sleep 1";

    try {
      Worker.Result result =
          assertTimeoutPreemptively(Duration.ofSeconds(60), () -> run("--tasks-from", command));

      assertRejected(
          result,
          1,
          "--tasks-from '"
              + command
              + "' exited, but a process it started still holds its output open; end that"
              + " process or send its output elsewhere (e.g. > /dev/null 2>&1)");
    } finally {
      processes("sleep 611").forEach(ProcessHandle::destroyForcibly);
    }
  }

  private static Stream<ProcessHandle> processes(String commandLine) {
    return ProcessHandle.allProcesses()
        .filter(p -> p.info().commandLine().orElse("").contains(commandLine));
  }

  @Test
  void stopsATasksCommandThatRunsOverItsTimeWithWhatItStarted() {
    Map<String, String> env = System.getenv();

    assertTimeoutPreemptively(
        Duration.ofSeconds(30),
        () ->
            assertThatThrownBy(
                    () ->
                        TaskSource.fromCommand(
                            "sleep 613; echo done", dir, env, Duration.ofSeconds(1)))
                .isInstanceOf(JobFailure.class)
                .hasMessage("--tasks-from 'sleep 613; echo done' ran over 1 s"));
    assertThat(processes("sleep 613")).isEmpty();
  }

  @Test
  void rejectsAJobNameTheSiteReservesBeforeRunningIt() throws Exception {
    Map<String, String> env = new HashMap<>(System.getenv());
    env.put("SOIL_TOKEN", "ci:secret");

    Worker.Result result =
        Worker.run(
            env,
            "run-job",
            "index",
            "--checkout",
            dir.toString(),
            "--out",
            out.toString(),
            "--tasks",
            tasks.toString(),
            "--server",
            "http://127.0.0.1:9/",
            "--worker-host",
            "github",
            "--run-id",
            "1");

    assertRejected(
        result,
        2,
        "jobName 'index' is reserved: RUN/index.json is the run JSON's old address and redirects"
            + " to json/index.json; use another job name");
  }

  @Test
  void rejectsARunIdTheSiteReservesBeforeRunningTheJob() throws Exception {
    Map<String, String> env = new HashMap<>(System.getenv());
    env.put("SOIL_TOKEN", "ci:secret");

    Worker.Result result =
        run(
            env,
            "--tasks",
            tasks.toString(),
            "--server",
            "http://127.0.0.1:9/",
            "--worker-host",
            "github",
            "--run-id",
            "tests");

    assertRejected(
        result, 2, "runId 'tests' is reserved for the site's pages; use another run name");
  }

  @Test
  void rejectsARetryTimeTooLongToCountBeforeRunningTheJob() throws Exception {
    Map<String, String> env = new HashMap<>(System.getenv());
    env.put("SOIL_TOKEN", "ci:secret");

    Worker.Result result =
        run(
            env,
            "--tasks",
            tasks.toString(),
            "--server",
            "http://127.0.0.1:9/",
            "--worker-host",
            "github",
            "--run-id",
            "1",
            "--retry-for",
            "99999999999999");

    assertRejected(
        result, 2, "--retry-for 99999999999999 must be 0-86400 (seconds of retrying a request)");
  }

  @Test
  void rejectsATasksFileThatIsNotUtf8NamingItsLine() throws Exception {
    Path bad = dir.resolve("latin1.txt");
    Files.write(bad, "a true x -\nb true caf\u00e9 -\n".getBytes(StandardCharsets.ISO_8859_1));

    Worker.Result result = run("--tasks", bad.toString());

    assertRejected(
        result,
        2,
        "tasks file '" + bad + "' line 2 is not UTF-8 (byte 0xe9); a task list must be UTF-8 text");
  }

  @Test
  void rejectsAScriptThatSetsidWouldTakeForAnOption() throws Exception {
    // Before: setsid read '-f' as its own option, ran 'true' in the background and the task
    // passed with status 0.
    Path bad = taskFile("a -f true -\n");

    Worker.Result result = run("--tasks", bad.toString());

    assertRejected(
        result,
        2,
        "tasks file '"
            + bad
            + "' line 1: script '-f' must not start with '-' (it would be read as an option);"
            + " for a file of that name write ./-f");
  }
}
