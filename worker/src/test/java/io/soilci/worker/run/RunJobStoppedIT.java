package io.soilci.worker.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A worker stopped mid-job (SIGTERM, as a CI cancel sends) takes its running task with it. */
class RunJobStoppedIT {
  private static final Path JAR = Path.of("target/soil-worker.jar").toAbsolutePath();

  @Test
  void aStoppedWorkerKillsTheLocalTaskItWasRunning(@TempDir Path dir) throws Exception {
    int seconds = 7000 + ThreadLocalRandom.current().nextInt(2000);
    Checkout.create(dir, "stop").script("t/long.sh", "echo started; exec sleep \"$1\"");
    Path tasks = Files.writeString(dir.resolve("tasks.txt"), "long t/long.sh " + seconds + " -\n");
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process worker =
        new ProcessBuilder(
                List.of(
                    java.toString(),
                    "-jar",
                    JAR.toString(),
                    "run-job",
                    "stop",
                    "--tasks",
                    tasks.toString()))
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("worker.txt").toFile())
            .start();
    Path log = dir.resolve("_tmp/soil/logs/long.txt");
    for (int i = 0;
        i < 200 && !(Files.exists(log) && Files.readString(log).contains("started"));
        i++) {
      Thread.sleep(50);
    }
    assertThat(sleepers(seconds)).as("the task runs").isNotEmpty();

    worker.destroy();

    try {
      assertThat(worker.waitFor(30, TimeUnit.SECONDS)).isTrue();
      for (int i = 0; i < 100 && !sleepers(seconds).isEmpty(); i++) {
        Thread.sleep(50);
      }
      assertThat(sleepers(seconds)).as("the task after the worker stopped").isEmpty();
    } finally {
      // Only this test's own sleeper (its argument is random), should it have survived.
      sleepers(seconds).forEach(ProcessHandle::destroyForcibly);
    }
  }

  /**
   * Ctrl-C: SIGINT to the worker's whole process group, its task runner too. The job is cancelled:
   * exit 130, the task's row 130, JOB.json says SIGINT, and the task (its own session) is gone.
   */
  @Test
  void ctrlCToTheWorkersGroupCancelsTheJobAndKillsItsTask(@TempDir Path dir) throws Exception {
    int seconds = 9000 + ThreadLocalRandom.current().nextInt(2000);
    Checkout.create(dir, "stop").script("t/long.sh", "echo started; exec sleep \"$1\"");
    Path tasks =
        Files.writeString(
            dir.resolve("tasks.txt"), "long t/long.sh " + seconds + " -\nnext t/long.sh 1 -\n");
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    // setsid: the worker leads a process group of its own, which the test can signal whole. env
    // --default-signal=INT: SIGINT as at a terminal, where Ctrl-C comes from; a Maven started in
    // the background (`nohup`, `cmd &` in a script) has it ignored, which every child inherits and
    // the JVM then keeps, as nohup means it to.
    Process worker =
        new ProcessBuilder(
                List.of(
                    "env",
                    "--default-signal=INT",
                    "setsid",
                    java.toString(),
                    "-jar",
                    JAR.toString(),
                    "run-job",
                    "stop",
                    "--tasks",
                    tasks.toString()))
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("worker.txt").toFile())
            .start();
    Path log = dir.resolve("_tmp/soil/logs/long.txt");
    try {
      for (int i = 0;
          i < 200 && !(Files.exists(log) && Files.readString(log).contains("started"));
          i++) {
        Thread.sleep(50);
      }
      assertThat(sleepers(seconds)).as("the task runs").isNotEmpty();

      Process kill = new ProcessBuilder("kill", "-INT", "--", "-" + worker.pid()).start();
      assertThat(kill.waitFor()).isZero();

      assertThat(worker.waitFor(30, TimeUnit.SECONDS)).isTrue();
      String output = Files.readString(dir.resolve("worker.txt"));
      assertThat(worker.exitValue()).as(output).isEqualTo(130);
      assertThat(output).contains("soil-worker: SIGINT: cancelling the job");
      assertThat(Files.readString(dir.resolve("_tmp/soil/out/stop.tsv")))
          .startsWith("130\t")
          .doesNotContain("next");
      assertThat(Files.readString(dir.resolve("_tmp/soil/out/stop.json")))
          .contains("\"job-cancelled\": \"SIGINT\"");
      for (int i = 0; i < 100 && !sleepers(seconds).isEmpty(); i++) {
        Thread.sleep(50);
      }
      assertThat(sleepers(seconds)).as("the task after Ctrl-C").isEmpty();
    } finally {
      worker.destroyForcibly();
      sleepers(seconds).forEach(ProcessHandle::destroyForcibly);
    }
  }

  private static List<ProcessHandle> sleepers(int seconds) {
    return ProcessHandle.allProcesses()
        .filter(p -> p.info().commandLine().orElse("").contains("sleep " + seconds))
        .toList();
  }
}
