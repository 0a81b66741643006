package io.soilci.worker.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a {@code run-job} of one task loads, and from where: what the jar's start loads is most of a
 * short job's time (docs/BENCHMARKS.md, "Worker start-up").
 */
class RunJobClassesIT {
  private static final Path JAR = Path.of("target/soil-worker.jar").toAbsolutePath();
  private static final Path LAUNCHER = Path.of("../soil-scripts/soil-worker").toAbsolutePath();

  /**
   * Nothing a short job does not need: no JSON library (JOB.json is written by hand), no
   * SecureRandom (the supervisor's mark and the temp files' names are no secrets), no pool of
   * deflaters (a small wwz is deflated on the main thread), no method handles made for a record's
   * equals and hashCode (TaskName's are written out). Each such first call spun classes that no CDS
   * archive of JDK 17 keeps; string concatenation's: ShadedJarIT.
   */
  @Test
  void aJobOfOneTaskLoadsOnlyWhatItNeeds(@TempDir Path dir) throws Exception {
    Checkout.create(dir, "classes");
    Path tasks = Files.writeString(dir.resolve("tasks.txt"), "one true - -\n");
    Path classes = dir.resolve("classes.txt");
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");

    runJob(
        dir,
        Map.of(),
        List.of(java.toString(), "-Xlog:class+load=info:file=" + classes, "-jar", JAR.toString()),
        tasks,
        "out");

    List<String> loaded = Files.readAllLines(classes);
    assertThat(loaded).noneMatch(line -> line.contains("com.fasterxml"));
    assertThat(loaded).noneMatch(line -> line.contains(" java.security.SecureRandom source"));
    assertThat(loaded).noneMatch(line -> line.contains(".ParallelScatterZipCreator source"));
    assertThat(loaded).noneMatch(line -> line.contains(" java.lang.runtime.ObjectMethods source"));
  }

  /**
   * Through the launcher, once its AppCDS archive is in place, every picocli class comes from the
   * archive. picocli's jar is compiled for Java 5, a class file version JDK 17's CDS refuses ("Pre
   * JDK 6 class not supported by CDS"), so the build raises it (.mvn/RaiseClassVersions.java).
   */
  @Test
  void throughTheLauncherPicocliComesFromTheArchive(@TempDir Path dir, @TempDir Path jarDir)
      throws Exception {
    Checkout.create(dir, "classes");
    Path tasks = Files.writeString(dir.resolve("tasks.txt"), "one true - -\n");
    Path jar = Files.copy(JAR, jarDir.resolve("soil-worker.jar"));
    Path classes = dir.resolve("classes.txt");

    // The first run writes the archive as it exits; the second puts it in place and maps it.
    runJob(
        dir, Map.of("SOIL_WORKER_JAR", jar.toString()), List.of(LAUNCHER.toString()), tasks, "1");
    String opts = "-Xshare:on -Xlog:class+load=info:file=" + classes;
    runJob(
        dir,
        Map.of("SOIL_WORKER_JAR", jar.toString(), "SOIL_WORKER_JAVA_OPTS", opts),
        List.of(LAUNCHER.toString()),
        tasks,
        "2");

    List<String> picocli =
        Files.readAllLines(classes).stream().filter(line -> line.contains(" picocli.")).toList();
    assertThat(picocli).hasSizeGreaterThan(50);
    assertThat(picocli).allMatch(line -> line.contains("source: shared objects file"));
  }

  private static void runJob(
      Path dir, Map<String, String> env, List<String> start, Path tasks, String out)
      throws Exception {
    List<String> command = new ArrayList<>(start);
    command.addAll(
        List.of(
            "run-job", "one", "--tasks", tasks.toString(), "--out", dir.resolve(out).toString()));
    Path output = dir.resolve("worker-" + out + ".txt");
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(output.toFile());
    builder.environment().putAll(env);
    Process worker = builder.start();
    if (!worker.waitFor(120, TimeUnit.SECONDS)) {
      worker.destroyForcibly().waitFor();
    }
    assertThat(worker.exitValue()).as(Files.readString(output)).isZero();
    assertThat(dir.resolve(out).resolve("one.json")).exists();
  }
}
