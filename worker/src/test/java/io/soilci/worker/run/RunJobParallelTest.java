package io.soilci.worker.run;

import static org.assertj.core.api.Assertions.assertThat;

import io.soilci.result.TaskName;
import io.soilci.result.TaskRow;
import io.soilci.result.TaskRows;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code run-job --parallel} with {@code # needs:} through the CLI, local provider, real processes.
 * Overlap is proven by the tasks themselves: each waits (with a deadline) for a file only the other
 * writes while it runs, so run one after another they fail.
 */
class RunJobParallelTest {
  /** Waits up to 30 s for file $1 to exist; exit 1 if it never does. */
  private static final String AWAIT =
      "await() { i=0; until [ -e \"$1\" ]; do i=$((i+1)); [ $i -lt 600 ] || { echo \"no $1\";"
          + " exit 1; }; sleep 0.05; done; }\n";

  @TempDir Path dir;

  private final int childSeconds = 7000 + ThreadLocalRandom.current().nextInt(2000);
  private final List<String> events = Collections.synchronizedList(new ArrayList<>());

  @AfterEach
  void endTheBackgroundedChildShouldItHaveSurvived() {
    ProcessHandle.allProcesses()
        .filter(p -> p.info().commandLine().orElse("").contains("sleep " + childSeconds))
        .forEach(ProcessHandle::destroyForcibly);
  }

  private Checkout checkout() throws Exception {
    return Checkout.create(dir, "parallel")
        .script("t/mark.sh", "mkdir -p _tmp/m; echo \"$1 ran\"; touch _tmp/m/$1")
        .script("t/fail.sh", "echo failing; exit 3")
        // $1 is ME:OTHER: say I run, then wait for the other to say so too.
        .script(
            "t/meet.sh",
            AWAIT
                + "me=${1%%:*}; other=${1##*:}; mkdir -p _tmp/m; touch _tmp/m/$me\n"
                + "await _tmp/m/$other; echo \"$me met $other\"")
        .script("t/join.sh", AWAIT + "await _tmp/m/left; await _tmp/m/right; echo joined");
  }

  private Worker.Result run(String tasks, String... more) throws Exception {
    Files.writeString(dir.resolve("tasks.txt"), tasks);
    List<String> args =
        new ArrayList<>(
            List.of(
                "run-job",
                "par",
                "--checkout",
                dir.toString(),
                "--tasks",
                dir.resolve("tasks.txt").toString()));
    args.addAll(List.of(more));
    return Worker.run(
        System.getenv(),
        job ->
            new JobListener() {
              @Override
              public void taskStarted(TaskName task) {
                events.add("task " + task);
              }

              @Override
              public void taskFinished(TaskRow row) {
                events.add("done " + row.name() + " " + row.status());
              }
            },
        args.toArray(String[]::new));
  }

  private List<TaskRow> rows() throws Exception {
    return TaskRows.read(dir.resolve("_tmp/soil/out/par.tsv"), "tsv");
  }

  private String log(String task) throws Exception {
    return Files.readString(dir.resolve("_tmp/soil/logs/" + task + ".txt"));
  }

  @Test
  void aDiamondRunsItsTwoMiddleTasksAtOnceAndKeepsTheDeclaredOrder() throws Exception {
    checkout();
    Worker.Result result =
        run(
            "build t/mark.sh build -\n"
                + "# needs: left right\n"
                + "join  t/join.sh x -\n"
                + "# needs: build\n"
                + "left  t/meet.sh left:right -\n"
                + "# needs: build\n"
                + "right t/meet.sh right:left -\n",
            "--parallel",
            "2");

    assertThat(result.exit()).as(result.out() + result.err()).isEqualTo(0);
    // The declared order, though join ran last.
    assertThat(rows())
        .extracting(r -> r.name() + " " + r.status())
        .containsExactly("build 0", "join 0", "left 0", "right 0");
    assertThat(Files.readString(dir.resolve("_tmp/soil/INDEX.tsv")))
        .isEqualTo(TaskRows.format(rows()));
    assertThat(log("left")).isEqualTo("left met right\n");
    assertThat(log("right")).isEqualTo("right met left\n");
    assertThat(log("join")).isEqualTo("joined\n");
    assertThat(events)
        .startsWith("task build", "done build 0")
        .endsWith("task join", "done join 0");
    assertThat(events.subList(2, 4)).containsExactlyInAnyOrder("task left", "task right");
  }

  @Test
  void withoutParallelTheSameDiamondRunsOneTaskAtATime() throws Exception {
    checkout();
    Worker.Result result =
        run(
            "build t/mark.sh build -\n"
                + "# needs: build\n"
                + "left  t/meet.sh left:right -\n"
                + "# needs: build\n"
                + "right t/meet.sh right:left -\n",
            "--task-timeout",
            "5");

    // left waits for right, which only starts after it: left's timeout fires.
    assertThat(result.exit()).isEqualTo(124);
    assertThat(rows())
        .extracting(r -> r.name() + " " + r.status())
        .containsExactly("build 0", "left 124", "right 0");
    assertThat(events)
        .containsExactly(
            "task build",
            "done build 0",
            "task left",
            "done left 124",
            "task right",
            "done right 0");
  }

  @Test
  void aTaskWhoseNeedFailedIsSkippedAndSoAreItsOwnDependants() throws Exception {
    checkout();
    Worker.Result result =
        run(
            "fail  t/fail.sh x -\n"
                + "# needs: fail\n"
                + "after t/mark.sh after -\n"
                + "#needs:after\n"
                + "later t/mark.sh later -\n"
                + "other t/mark.sh other -\n",
            "--parallel",
            "2");

    assertThat(result.exit()).isEqualTo(253);
    assertThat(rows())
        .extracting(r -> r.name() + " " + r.status())
        .containsExactly("fail 3", "after 253", "later 253", "other 0");
    assertThat(log("after"))
        .isEqualTo("\n[soil-worker: skipped: it needs 'fail', which ended with status 3]\n");
    assertThat(log("later"))
        .isEqualTo(
            "\n[soil-worker: skipped: it needs 'after', which ended with status 253 (skipped: a"
                + " task it needs did not pass)]\n");
    assertThat(dir.resolve("_tmp/m/after")).doesNotExist();
    assertThat(dir.resolve("_tmp/m/other")).exists();
    assertThat(result.out())
        .contains("after: status 253 (skipped: a task it needs did not pass) in 0.00 s");
  }

  @Test
  void aTimeoutKillsOnlyItsOwnTasksProcessesWhileItsSiblingGoesOn() throws Exception {
    String child = "sleep " + childSeconds;
    checkout()
        .script(
            "t/hang.sh",
            "sleep \"$1\" &\nmkdir -p _tmp/m; touch _tmp/m/hang; echo waiting; sleep 60; echo never")
        // It sees hang's child alive, then outlives hang's timeout and sees the child gone.
        .script(
            "t/sibling.sh",
            AWAIT
                + "await _tmp/m/hang\n"
                + "ps -eo args | grep -q \"^sleep $1\" || { echo 'hang is not running'; exit 1; }\n"
                + "i=0; while ps -eo args | grep -q \"^sleep $1\"; do i=$((i+1));"
                + " [ $i -lt 600 ] || { echo 'the child lives on'; exit 1; }; sleep 0.05; done\n"
                + "echo \"hang's child is gone; I go on\"");
    Worker.Result result =
        run(
            "hang    t/hang.sh "
                + childSeconds
                + " -\n"
                + "sibling t/sibling.sh "
                + childSeconds
                + " -\n",
            "--parallel",
            "2",
            "--task-timeout",
            "hang=2");

    assertThat(result.exit()).as(result.out() + result.err()).isEqualTo(124);
    assertThat(rows())
        .extracting(r -> r.name() + " " + r.status())
        .containsExactly("hang 124", "sibling 0");
    assertThat(rows().get(0).elapsedSeconds()).isBetween(1.9, 10.0);
    assertThat(log("hang")).isEqualTo("waiting\n");
    assertThat(log("sibling")).isEqualTo("hang's child is gone; I go on\n");
    assertThat(ProcessHandle.allProcesses())
        .noneMatch(p -> p.info().commandLine().orElse("").contains(child));
  }

  @Test
  void aCycleIsRefusedWithItsLineBeforeAnythingRuns() throws Exception {
    checkout();
    Worker.Result result =
        run(
            "first t/mark.sh first -\n"
                + "# needs: c\n"
                + "a t/mark.sh a -\n"
                + "# needs: a\n"
                + "b t/mark.sh b -\n"
                + "# needs: b\n"
                + "c t/mark.sh c -\n",
            "--parallel",
            "2");

    assertThat(result.exit()).isEqualTo(2);
    assertThat(result.err())
        .isEqualTo(
            "soil-worker: tasks file '"
                + dir.resolve("tasks.txt")
                + "' line 2: task 'a' needs itself through a cycle: a -> c -> b -> a; a task"
                + " may only need tasks that do not need it\n");
    assertThat(dir.resolve("_tmp/m")).doesNotExist();
    assertThat(dir.resolve("_tmp/soil")).doesNotExist();
  }
}
