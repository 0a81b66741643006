package io.soilci.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launchers soil-scripts/soil-worker and soil-scripts/soil-server (soil-scripts/soil-java): the
 * AppCDS archive the first run writes is put in place only whole, and the archives of other builds
 * are deleted when a new one is; the archive holds picocli's classes.
 */
class LaunchersIT {
  @TempDir Path tmp;

  /**
   * A dump cut off (SIGKILL while the JVM writes the archive at exit) leaves a temp file whose
   * header may be whole; a JVM that maps such a file dies of SIGBUS, so it must never be renamed
   * into place. Here the worst case: the first half of a real archive, header included.
   */
  @Test
  void aDumpCutOffIsDeletedNotUsed() throws Exception {
    Path jar = Files.copy(Repo.WORKER_JAR, tmp.resolve("soil-worker.jar"));
    Map<String, String> env = Map.of("SOIL_WORKER_JAR", jar.toString());

    assertVersion(Processes.run(tmp, env, 120, launcher("soil-worker"), "--version"));
    List<Path> dumped = files(".tmp");
    assertThat(dumped).as("the first run's dump").hasSize(1);
    Path torn = dumped.get(0);
    try (FileChannel channel = FileChannel.open(torn, StandardOpenOption.WRITE)) {
      channel.truncate(channel.size() / 2);
    }

    assertVersion(Processes.run(tmp, env, 120, launcher("soil-worker"), "--version"));
    assertThat(torn).doesNotExist();
    assertThat(files(".jsa")).as("no archive put in place from a cut-off dump").isEmpty();

    // The dump of the run just made is whole: the next run puts it in place and maps it.
    assertVersion(Processes.run(tmp, env, 120, launcher("soil-worker"), "--version"));
    assertThat(files(".jsa")).hasSize(1);
    assertThat(files(".tmp")).isEmpty();
    Map<String, String> mustMap =
        Map.of("SOIL_WORKER_JAR", jar.toString(), "SOIL_WORKER_JAVA_OPTS", "-Xshare:on");
    assertVersion(Processes.run(tmp, mustMap, 120, launcher("soil-worker"), "--version"));
  }

  /** A new build's archive replaces the old builds' of the same jar name, and only those. */
  @Test
  void anArchivePutInPlaceDeletesTheOtherBuildsOfTheSameJar() throws Exception {
    Path jar = Files.copy(Repo.SERVER_JAR, tmp.resolve("soil-server.jar"));
    Path olderBuild = Files.writeString(tmp.resolve(".soil-server-123-456-789.jsa"), "old");
    Path otherJar = Files.writeString(tmp.resolve(".soil-server-1.2-123-456-789.jsa"), "other");
    Path notAnArchive = Files.writeString(tmp.resolve(".soil-server-notes.jsa"), "mine");
    Map<String, String> env = Map.of("SOIL_SERVER_JAR", jar.toString());

    assertVersion(Processes.run(tmp, env, 120, launcher("soil-server"), "--version"));
    assertThat(olderBuild).as("kept until a new archive is in place").exists();
    assertVersion(Processes.run(tmp, env, 120, launcher("soil-server"), "--version"));

    assertThat(olderBuild).doesNotExist();
    assertThat(otherJar).exists();
    assertThat(notAnArchive).exists();
    assertThat(files(".jsa")).hasSize(3);
    Map<String, String> mustMap =
        Map.of("SOIL_SERVER_JAR", jar.toString(), "SOIL_SERVER_JAVA_OPTS", "-Xshare:on");
    assertVersion(Processes.run(tmp, mustMap, 120, launcher("soil-server"), "--version"));
  }

  /**
   * Once the launcher's archive is in place, the server's picocli classes come from it: picocli's
   * jar is compiled for Java 5, a class file version JDK 17's CDS refuses ("Pre JDK 6 class not
   * supported by CDS"), so the build raises it (.mvn/RaiseClassVersions.java).
   */
  @Test
  void theArchiveHoldsPicocli() throws Exception {
    Path jar = Files.copy(Repo.SERVER_JAR, tmp.resolve("soil-server.jar"));
    Path classes = tmp.resolve("classes.txt");
    Map<String, String> env = Map.of("SOIL_SERVER_JAR", jar.toString());
    assertVersion(Processes.run(tmp, env, 120, launcher("soil-server"), "--version"));

    String opts = "-Xshare:on -Xlog:class+load=info:file=" + classes;
    Map<String, String> logged =
        Map.of("SOIL_SERVER_JAR", jar.toString(), "SOIL_SERVER_JAVA_OPTS", opts);
    assertVersion(Processes.run(tmp, logged, 120, launcher("soil-server"), "--version"));

    List<String> picocli;
    try (Stream<String> lines = Files.lines(classes)) {
      picocli = lines.filter(line -> line.contains(" picocli.")).toList();
    }
    assertThat(picocli).hasSizeGreaterThan(50);
    assertThat(picocli).allMatch(line -> line.contains("source: shared objects file"));
  }

  /**
   * The archive records the jar's path as the first run was given it, and a JVM given the same jar
   * by another path (a relative name from another folder) refuses the archive without a word: so
   * the launcher names the jar by one absolute path, and every run from anywhere maps the archive.
   */
  @Test
  void theArchiveIsUsedWhicheverPathNamesTheJar() throws Exception {
    Path jar = Files.copy(Repo.WORKER_JAR, tmp.resolve("soil-worker.jar"));
    Map<String, String> relative = Map.of("SOIL_WORKER_JAR", "soil-worker.jar");
    assertVersion(Processes.run(tmp, relative, 120, launcher("soil-worker"), "--version"));
    assertVersion(Processes.run(tmp, relative, 120, launcher("soil-worker"), "--version"));
    assertThat(files(".jsa")).as("the archive, in place").hasSize(1);

    Path elsewhere = Files.createDirectories(tmp.resolve("a").resolve("b"));
    for (String named : List.of("../../soil-worker.jar", jar.toString(), "soil-worker.jar")) {
      Path cwd = named.equals("soil-worker.jar") ? tmp : elsewhere;
      Path classes = tmp.resolve("classes.txt");
      Files.deleteIfExists(classes);
      Map<String, String> logged =
          Map.of(
              "SOIL_WORKER_JAR",
              named,
              "SOIL_WORKER_JAVA_OPTS",
              "-Xlog:class+load=info:file=" + classes);
      assertVersion(Processes.run(cwd, logged, 120, launcher("soil-worker"), "--version"));
      List<String> ours;
      try (Stream<String> lines = Files.lines(classes)) {
        ours = lines.filter(line -> line.contains(" io.soilci.")).toList();
      }
      assertThat(ours).as("the jar named %s from %s", named, cwd).isNotEmpty();
      assertThat(ours)
          .as("the jar named %s from %s", named, cwd)
          .allMatch(line -> line.contains("source: shared objects file"));
    }
  }

  /**
   * The flags each launcher gives the JVM: the heap in transparent huge pages exactly when the
   * kernel gives them on request ("[madvise]"), the server's larger young generation, the worker's
   * C1-only serial JVM without perf data; and the caller's own flags come last, so they win.
   */
  @Test
  void theLaunchersGiveTheirFlagsAndTheCallersWin() throws Exception {
    Path thpMode = Path.of("/sys/kernel/mm/transparent_hugepage/enabled");
    boolean onRequest =
        Files.isReadable(thpMode) && Files.readString(thpMode).contains("[madvise]");
    Path server = Files.copy(Repo.SERVER_JAR, tmp.resolve("soil-server.jar"));
    Path worker = Files.copy(Repo.WORKER_JAR, tmp.resolve("soil-worker.jar"));
    String print = "-XX:+PrintFlagsFinal";

    Processes.Result serverFlags = version("soil-server", server, print);
    assertThat(flag(serverFlags, "UseTransparentHugePages")).isEqualTo(String.valueOf(onRequest));
    assertThat(flag(serverFlags, "G1NewSizePercent")).isEqualTo("20");

    Processes.Result workerFlags = version("soil-worker", worker, print);
    assertThat(flag(workerFlags, "UseTransparentHugePages")).isEqualTo(String.valueOf(onRequest));
    assertThat(flag(workerFlags, "UseSerialGC")).isEqualTo("true");
    assertThat(flag(workerFlags, "UsePerfData")).isEqualTo("false");
    assertThat(flag(workerFlags, "TieredStopAtLevel")).isEqualTo("1");

    Processes.Result overridden =
        version(
            "soil-server", server, print + " -XX:-UseTransparentHugePages -XX:G1NewSizePercent=5");
    assertThat(flag(overridden, "UseTransparentHugePages")).isEqualTo("false");
    assertThat(flag(overridden, "G1NewSizePercent")).isEqualTo("5");
  }

  /**
   * {@code --version} through launcher {@code name} (soil-server or soil-worker) with {@code jar}
   * and JVM flags {@code opts} ($SOIL_SERVER_JAR and $SOIL_SERVER_JAVA_OPTS, or the worker's).
   */
  private Processes.Result version(String name, Path jar, String opts) throws Exception {
    String prefix = name.toUpperCase(java.util.Locale.ROOT).replace('-', '_');
    Map<String, String> env = Map.of(prefix + "_JAR", jar.toString(), prefix + "_JAVA_OPTS", opts);
    Processes.Result result = Processes.run(tmp, env, 120, launcher(name), "--version");
    assertVersion(result);
    return result;
  }

  /** A flag's value as -XX:+PrintFlagsFinal prints it ("bool UsePerfData = false {...}"). */
  private static String flag(Processes.Result result, String name) {
    return result
        .output()
        .lines()
        .map(String::trim)
        .filter(line -> line.matches("\\S+\\s+" + name + "\\s+:?=.*"))
        .map(line -> line.replaceFirst("^\\S+\\s+" + name + "\\s+:?=\\s+(\\S+).*$", "$1"))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + name + " in " + result.output()));
  }

  private static String launcher(String name) {
    return Repo.ROOT.resolve("soil-scripts").resolve(name).toString();
  }

  private static void assertVersion(Processes.Result result) {
    assertThat(result.exit()).as(result.output()).isZero();
    assertThat(result.output()).as(result.output()).containsPattern("\\d+\\.\\d+");
  }

  private List<Path> files(String suffix) throws IOException {
    try (Stream<Path> files = Files.list(tmp)) {
      return files.filter(f -> f.getFileName().toString().endsWith(suffix)).sorted().toList();
    }
  }
}
