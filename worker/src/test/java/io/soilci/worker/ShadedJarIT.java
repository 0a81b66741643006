package io.soilci.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The runnable jar's classes: none older than Java 6's class file version (50), the oldest JDK 17's
 * CDS archives. picocli's, compiled for Java 5 and raised by the build
 * (.mvn/RaiseClassVersions.java), pass the verifier and behave as picocli's own jar does.
 */
class ShadedJarIT {
  private static final Path JAR = Path.of("target/soil-worker.jar").toAbsolutePath();

  /**
   * The jar's command line (raised picocli) answers as the tests' in-process one (picocli's own
   * jar): every command's help, the version, a misspelled command, a bad option, a missing one.
   */
  @Test
  void theCommandLineAnswersAsWithPicocliOwnJar(@TempDir Path dir) throws Exception {
    List<List<String>> cases = new ArrayList<>();
    cases.add(List.of("--help"));
    cases.add(List.of("--version"));
    cases.add(List.of());
    cases.add(List.of("publsh"));
    cases.add(List.of("run-job", "--no-such-option"));
    cases.add(List.of("run-job"));
    WorkerMain.SUBCOMMANDS.keySet().forEach(name -> cases.add(List.of(name, "--help")));
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    for (List<String> args : cases) {
      List<String> command = new ArrayList<>(List.of(java.toString(), "-jar", JAR.toString()));
      command.addAll(args);
      Process process =
          new ProcessBuilder(command)
              .redirectOutput(dir.resolve("out").toFile())
              .redirectError(dir.resolve("err").toFile())
              .start();
      if (!process.waitFor(120, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor();
      }
      Cli.Result jar =
          new Cli.Result(
              process.exitValue(),
              Files.readString(dir.resolve("err")).strip(),
              Files.readString(dir.resolve("out")));

      assertThat(jar).as(String.join(" ", args)).isEqualTo(Cli.run(args.toArray(String[]::new)));
    }
  }

  /**
   * The build compiles string concatenation as StringBuilder calls ({@code
   * -XDstringConcat=inline}): with invokedynamic, each concatenation's first run spun method handle
   * classes that no CDS archive of JDK 17 keeps, 36 of them in a one-task run-job
   * (docs/BENCHMARKS.md, "Worker start-up").
   */
  @Test
  void noClassOfOursConcatenatesWithInvokedynamic() throws Exception {
    byte[] bootstrap = "makeConcatWithConstants".getBytes(StandardCharsets.US_ASCII);
    List<String> indy = new ArrayList<>();
    int ours = 0;
    try (ZipFile jar = new ZipFile(JAR.toFile())) {
      for (ZipEntry entry : Collections.list(jar.entries())) {
        if (entry.getName().startsWith("io/soilci/") && entry.getName().endsWith(".class")) {
          ours++;
          try (InputStream in = jar.getInputStream(entry)) {
            if (contains(in.readAllBytes(), bootstrap)) {
              indy.add(entry.getName());
            }
          }
        }
      }
    }
    assertThat(ours).isGreaterThan(100);
    assertThat(indy).isEmpty();
  }

  private static boolean contains(byte[] bytes, byte[] part) {
    for (int i = 0; i + part.length <= bytes.length; i++) {
      if (Arrays.equals(bytes, i, i + part.length, part, 0, part.length)) {
        return true;
      }
    }
    return false;
  }

  @Test
  void everyClassIsArchivableAndPicocliVerifies() throws Exception {
    List<String> tooOld = new ArrayList<>();
    int picocli = 0;
    // Its own loader over the jar (not the tests' class path, which has picocli's own jar);
    // initializing a class links it, and linking verifies every method.
    try (ZipFile jar = new ZipFile(JAR.toFile());
        URLClassLoader loader =
            new URLClassLoader(
                new URL[] {JAR.toUri().toURL()}, ClassLoader.getPlatformClassLoader())) {
      for (ZipEntry entry : Collections.list(jar.entries())) {
        String name = entry.getName();
        if (!name.endsWith(".class") || name.startsWith("META-INF/")) {
          continue;
        }
        try (InputStream in = jar.getInputStream(entry)) {
          byte[] header = in.readNBytes(8);
          int version = (header[6] & 0xff) << 8 | (header[7] & 0xff);
          if (version < 50) {
            tooOld.add(name + " " + version);
          }
        }
        if (name.startsWith("picocli/")) {
          Class.forName(name.replace('/', '.').replaceAll("\\.class$", ""), true, loader);
          picocli++;
        }
      }
    }
    assertThat(tooOld).isEmpty();
    assertThat(picocli).isGreaterThan(100);
  }
}
