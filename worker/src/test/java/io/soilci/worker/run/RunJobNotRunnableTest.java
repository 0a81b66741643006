package io.soilci.worker.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tasks whose command cannot run (126: not executable, 127: not found) get a progress line saying
 * what the status means; the job's files keep Soil's format.
 */
class RunJobNotRunnableTest {
  @TempDir Path dir;

  @Test
  void saysWhatStatus126And127MeanInTheProgressLines() throws Exception {
    Checkout checkout = Checkout.create(dir, "subject");
    checkout.file("t/plain.sh", "#!/bin/sh\necho never\n"); // no execute bit
    checkout.file(
        "tasks.txt",
        "plain   t/plain.sh x -\n"
            + "missing t/missing.sh x -\n"
            + "nopath  no-such-command-soil x -\n");
    Path out = dir.resolve("out");

    Worker.Result result =
        Worker.run(
            System.getenv(),
            "run-job",
            "job",
            "--checkout",
            dir.toString(),
            "--tasks",
            dir.resolve("tasks.txt").toString(),
            "--out",
            out.toString());

    assertThat(result.exit()).as(result.err()).isEqualTo(127);
    assertThat(result.out())
        .containsPattern(
            "\\[1/3\\] plain: status 126 \\(not executable: give the script its execute bit"
                + " \\(chmod \\+x; in git: git update-index --chmod=\\+x\\)\\) in [0-9.]+ s\n")
        .containsPattern(
            "\\[2/3\\] missing: status 127 \\(command not found: check the script's path"
                + " \\(relative to the checkout\\), its #! line, and that what it runs is on the"
                + " PATH where tasks run: the container, or the host\\) in [0-9.]+ s\n")
        .containsPattern("\\[3/3\\] nopath: status 127 \\(command not found: ");
    assertThat(Files.readString(out.resolve("job.tsv")).lines().map(l -> l.split("\t")[0]))
        .containsExactly("126", "127", "127");
  }
}
