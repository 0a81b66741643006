package io.soilci.worker.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A {@code run-job} of one task loads no JSON library: JOB.json is written by hand, and what the
 * jar's start loads is most of a short job's time (docs/BENCHMARKS.md, "Worker start-up").
 */
class RunJobClassesIT {
  private static final Path JAR = Path.of("target/soil-worker.jar").toAbsolutePath();

  @Test
  void aJobOfOneTaskLoadsNoJackson(@TempDir Path dir) throws Exception {
    Checkout.create(dir, "classes");
    Path tasks = Files.writeString(dir.resolve("tasks.txt"), "one true - -\n");
    Path classes = dir.resolve("classes.txt");
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process worker =
        new ProcessBuilder(
                List.of(
                    java.toString(),
                    "-Xlog:class+load=info:file=" + classes,
                    "-jar",
                    JAR.toString(),
                    "run-job",
                    "one",
                    "--tasks",
                    tasks.toString(),
                    "--out",
                    dir.resolve("out").toString()))
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("worker.txt").toFile())
            .start();

    assertThat(worker.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(worker.exitValue()).as(Files.readString(dir.resolve("worker.txt"))).isZero();
    assertThat(dir.resolve("out/one.json")).exists();
    assertThat(Files.readAllLines(classes)).noneMatch(line -> line.contains("com.fasterxml"));
  }
}
