package io.soilci.worker.run;

import static org.assertj.core.api.Assertions.assertThat;

import io.soilci.result.JobMeta;
import io.soilci.result.JobMetaCodec;
import io.soilci.result.TaskRow;
import io.soilci.result.TaskRows;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The worker jar, run as its own process with credentials in its environment, runs a job in a real
 * podman container (busybox image), and through the docker provider pointed at podman.
 */
class RunJobContainerIT {
  private static final String IMAGE =
      System.getenv().getOrDefault("SOIL_TEST_IMAGE", "localhost/soil-test-busybox:latest");
  private static final Path JAR = Path.of("target/soil-worker.jar").toAbsolutePath();

  @TempDir Path dir;

  private Checkout checkout;
  private final int childSeconds = 7000 + ThreadLocalRandom.current().nextInt(2000);

  record Run(int exit, String out, String err) {}

  @BeforeEach
  void createCheckout() throws Exception {
    checkout =
        Checkout.create(dir, "container job")
            .script(
                "t/pass.sh",
                "echo \"pass $1 in $(pwd)\"\n"
                    + "mkdir -p _tmp/unit; echo '<h1>unit</h1>' > _tmp/unit/index.html")
            .script("t/fail.sh", "echo failing >&2; exit 3")
            .script("t/hang.sh", Checkout.HANG_WITH_CHILD)
            .script("t/ps.sh", "ps -eo args")
            .script("t/env.sh", "env | sort");
    checkout.file(
        "tasks.txt",
        "pass t/pass.sh one _tmp/unit/index.html\n"
            + "fail t/fail.sh two -\n"
            + "hang t/hang.sh "
            + childSeconds
            + " -\n"
            + "ps   t/ps.sh   after -\n"
            + "env  t/env.sh  x -\n");
  }

  private Run worker(String... args) throws Exception {
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar",
                JAR.toString()));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile());
    Map<String, String> env = builder.environment();
    env.put("SOIL_TOKEN", "worker-secret-1");
    env.put("UPLOAD_SECRET", "worker-secret-2");
    env.put("PASSED_VAR", "hello");
    Path stdout = Files.createTempFile(dir, "stdout", ".txt");
    Path stderr = Files.createTempFile(dir, "stderr", ".txt");
    Process process =
        builder.redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
    if (!process.waitFor(3, TimeUnit.MINUTES)) {
      process.destroyForcibly();
      throw new AssertionError("worker ran over 3 minutes");
    }
    return new Run(
        process.exitValue(),
        Files.readString(stdout, StandardCharsets.UTF_8),
        Files.readString(stderr, StandardCharsets.UTF_8));
  }

  private List<String> providerArgs(String provider) throws Exception {
    if (provider.equals("podman")) {
      return List.of("--provider", "podman");
    }
    return List.of("--provider", "docker", "--container-cli", podman());
  }

  /**
   * A checkout whose path has ':' and ',' (and a quote) is mounted whole: '-v SRC:DST' would split
   * it at ':', an unquoted '--mount' at ','.
   */
  @ParameterizedTest
  @ValueSource(strings = {"podman", "docker"})
  void mountsACheckoutWhosePathHasColonsCommasAndQuotes(String provider) throws Exception {
    Path odd = Files.createDirectories(dir.resolve("ci:job,1 \"q\""));
    Checkout.create(odd, "odd path").script("t/where.sh", "pwd > _where.txt");
    List<String> args =
        new ArrayList<>(
            List.of(
                "run-job",
                "odd-" + provider,
                "--checkout",
                odd.toString(),
                "--tasks-from",
                "echo 'where t/where.sh x -'",
                "--image",
                IMAGE));
    args.addAll(providerArgs(provider));

    Run run = worker(args.toArray(String[]::new));

    assertThat(run.exit()).as(run.err()).isZero();
    assertThat(Files.readString(odd.resolve("_where.txt"))).isEqualTo(odd + "\n");
  }

  @ParameterizedTest
  @ValueSource(strings = {"podman", "docker"})
  void runsEveryTaskInOneContainerAndKillsWhatATimedOutTaskLeft(String provider) throws Exception {
    List<String> args =
        new ArrayList<>(
            List.of(
                "run-job",
                "it-" + provider,
                "--tasks",
                "tasks.txt",
                "--image",
                IMAGE,
                "--env",
                "PASSED_VAR",
                "--task-timeout",
                "hang=3"));
    args.addAll(providerArgs(provider));

    Run run = worker(args.toArray(String[]::new));

    assertThat(run.exit()).as(run.err()).isEqualTo(124);
    Path out = dir.resolve("_tmp/soil/out");
    List<TaskRow> rows = TaskRows.read(out.resolve("it-" + provider + ".tsv"), "tsv");
    assertThat(rows).extracting(TaskRow::status).containsExactly(0, 3, 124, 0, 0);
    assertThat(run.out().lines()).hasSize(7);
    assertThat(checkout.read("_tmp/soil/logs/pass.txt")).isEqualTo("pass one in " + dir + "\n");
    assertThat(checkout.read("_tmp/soil/logs/fail.txt")).isEqualTo("failing\n");
    assertThat(checkout.read("_tmp/soil/logs/hang.txt"))
        .isEqualTo("sleep " + childSeconds + "\nwaiting\n");
    assertThat(checkout.read("_tmp/soil/logs/ps.txt"))
        .contains("t/ps.sh after")
        .doesNotContain("sleep " + childSeconds);
    assertThat(checkout.read("_tmp/soil/logs/env.txt"))
        .contains("PASSED_VAR=hello")
        .doesNotContain("SOIL_TOKEN", "worker-secret", "UPLOAD_SECRET", "JAVA_HOME");

    JobMeta meta = JobMetaCodec.read(out.resolve("it-" + provider + ".json"), "json");
    assertThat(meta.values()).containsEntry("provider", provider).containsEntry("image", IMAGE);
    assertThat(meta.get(JobMeta.IMAGE_PULL_TIME).orElseThrow())
        .matches("real \\d+\\.\\d\\d\nuser \\d+\\.\\d\\d\nsys \\d+\\.\\d\\d");
    assertThat(entries(out.resolve("it-" + provider + ".wwz")))
        .contains(
            "_tmp/soil/logs/hang.txt", "_tmp/soil/image-pull-time.txt", "_tmp/unit/index.html");
    assertThat(containersNamed("soil-it-" + provider + "-")).isEmpty();
  }

  /**
   * {@code --parallel 2} in one container: lanes run tasks beside each other (each waits for a file
   * only the other writes while it runs), a timeout kills only its task's processes while the
   * sibling goes on, and a task whose need failed is skipped.
   */
  @ParameterizedTest
  @ValueSource(strings = {"podman", "docker"})
  void runsReadyTasksAtOnceInOneContainer(String provider) throws Exception {
    String await =
        "await() { i=0; until [ -e \"$1\" ]; do i=$((i+1)); [ $i -lt 600 ] || { echo \"no $1\";"
            + " exit 1; }; sleep 0.05; done; }\n";
    checkout
        .script(
            "t/hang2.sh",
            "sleep \"$1\" &\nmkdir -p _tmp/m; touch _tmp/m/hang; echo waiting; sleep 60")
        .script(
            "t/sibling.sh",
            await
                + "await _tmp/m/hang\n"
                + "ps -eo args | grep -q \"^sleep $1\" || { echo 'hang is not running'; exit 1; }\n"
                + "i=0; while ps -eo args | grep -q \"^sleep $1\"; do i=$((i+1));"
                + " [ $i -lt 600 ] || { echo 'the child lives on'; exit 1; }; sleep 0.05; done\n"
                + "echo \"hang's child is gone; I go on\"")
        .script(
            "t/meet.sh",
            await
                + "me=${1%%:*}; other=${1##*:}; mkdir -p _tmp/m; touch _tmp/m/$me\n"
                + "await _tmp/m/$other; echo \"$me met $other with $PASSED_VAR\"");
    checkout.file(
        "par.txt",
        "hang    t/hang2.sh "
            + childSeconds
            + " -\n"
            + "sibling t/sibling.sh "
            + childSeconds
            + " -\n"
            + "# needs: sibling\n"
            + "left    t/meet.sh left:right -\n"
            + "# needs: sibling\n"
            + "right   t/meet.sh right:left -\n"
            + "fail    t/fail.sh x -\n"
            + "# needs: fail\n"
            + "skipped t/pass.sh x -\n");
    List<String> args =
        new ArrayList<>(
            List.of(
                "run-job",
                "par-" + provider,
                "--tasks",
                "par.txt",
                "--image",
                IMAGE,
                "--env",
                "PASSED_VAR",
                "--parallel",
                "2",
                "--task-timeout",
                "hang=3"));
    args.addAll(providerArgs(provider));

    Run run = worker(args.toArray(String[]::new));

    assertThat(run.exit()).as(run.out() + run.err()).isEqualTo(253);
    List<TaskRow> rows =
        TaskRows.read(dir.resolve("_tmp/soil/out/par-" + provider + ".tsv"), "tsv");
    assertThat(rows)
        .extracting(r -> r.name() + " " + r.status())
        .containsExactly("hang 124", "sibling 0", "left 0", "right 0", "fail 3", "skipped 253");
    assertThat(checkout.read("_tmp/soil/logs/hang.txt")).isEqualTo("waiting\n");
    assertThat(checkout.read("_tmp/soil/logs/sibling.txt"))
        .isEqualTo("hang's child is gone; I go on\n");
    assertThat(checkout.read("_tmp/soil/logs/left.txt")).isEqualTo("left met right with hello\n");
    assertThat(checkout.read("_tmp/soil/logs/right.txt")).isEqualTo("right met left with hello\n");
    assertThat(checkout.read("_tmp/soil/logs/skipped.txt"))
        .isEqualTo("\n[soil-worker: skipped: it needs 'fail', which ended with status 3]\n");
    assertThat(dir.resolve("_tmp/unit")).doesNotExist();
    assertThat(containersNamed("soil-par-" + provider + "-")).isEmpty();
  }

  @Test
  void failsWithOneLineWhenTheImageDoesNotExist() throws Exception {
    Path out = Files.createDirectories(dir.resolve("out"));
    Files.writeString(out.resolve("it-missing.json"), "{}");

    Run run =
        worker(
            "run-job",
            "it-missing",
            "--tasks",
            "tasks.txt",
            "--out",
            out.toString(),
            "--provider",
            "podman",
            "--image",
            "localhost/soil-no-such-image:latest");

    assertThat(run.exit()).isEqualTo(1);
    assertThat(run.err())
        .matches(
            "soil-worker: image 'localhost/soil-no-such-image:latest' is not available:"
                + " 'podman pull' failed with exit status \\d+ \\(.+\\); fix --image, pull or"
                + " build the image, or check that podman works\n");
    try (Stream<Path> files = Files.list(out)) {
      assertThat(files).containsExactly(out.resolve("it-missing.json"));
    }
    assertThat(dir.resolve("_tmp/soil/logs")).doesNotExist();
  }

  private static List<String> entries(Path wwz) throws Exception {
    try (ZipFile zip = ZipFile.builder().setPath(wwz).get()) {
      return Collections.list(zip.getEntries()).stream().map(ZipArchiveEntry::getName).toList();
    }
  }

  private static List<String> containersNamed(String prefix) throws Exception {
    Process ps =
        new ProcessBuilder(podman(), "ps", "-a", "--format", "{{.Names}}")
            .redirectErrorStream(true)
            .start();
    String names = new String(ps.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    ps.waitFor(30, TimeUnit.SECONDS);
    return names.lines().filter(n -> n.startsWith(prefix)).toList();
  }

  private static String podman() {
    for (String bin : System.getenv().getOrDefault("PATH", "").split(":", -1)) {
      Path podman = Path.of(bin.isEmpty() ? "." : bin, "podman");
      if (Files.isExecutable(podman)) {
        return podman.toString();
      }
    }
    throw new AssertionError("podman is not on the PATH; run . soil-scripts/test-env.sh first");
  }
}
