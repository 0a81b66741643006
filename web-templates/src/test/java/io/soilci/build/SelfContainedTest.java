package io.soilci.build;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The project reads nothing outside its own tree: no file may name the old shared folder. */
class SelfContainedTest {
  // Written so that this file does not match itself: "..", then "/shared"; "shared", "/fixtures".
  private static final Pattern OUTSIDE = Pattern.compile("\\.\\.(?:/shared)|shared(?:/fixtures)");
  private static final Set<String> NOT_PROJECT = Set.of(".git", "target", "_tmp", "node_modules");

  @TempDir Path tree;

  @Test
  void noFileOfTheProjectRefersToTheSharedFolder() throws IOException {
    assertThat(outsideReferences(projectRoot())).isEmpty();
  }

  @Test
  void findsBothFormsOfTheReferenceWithTheirFileAndLine() throws IOException {
    Files.createDirectories(tree.resolve("a/target"));
    Files.writeString(tree.resolve("a/B.java"), "x\nPath.of(\"../" + "shared/x\");\n");
    Files.writeString(tree.resolve("test.sh"), "cp -r shared/" + "fixtures/soil-original .\n");
    Files.writeString(tree.resolve("a/target/Skipped.java"), "../" + "shared");
    Files.writeString(tree.resolve("ok.md"), "shared by worker and server\n");

    List<String> found = outsideReferences(tree);

    assertThat(found).containsExactly("a/B.java:2", "test.sh:1");
  }

  /** The nearest folder above the working folder that holds the parent pom and {@code .mvn}. */
  private static Path projectRoot() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.isDirectory(dir.resolve(".mvn")) && Files.isRegularFile(dir.resolve("pom.xml"))) {
        return dir;
      }
    }
    throw new IllegalStateException("no .mvn folder above " + Path.of("").toAbsolutePath());
  }

  /** "path:line" of every reference, in path order; build output and VCS folders skipped. */
  private static List<String> outsideReferences(Path root) throws IOException {
    List<String> found = new ArrayList<>();
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path file : walk.filter(Files::isRegularFile).sorted().toList()) {
        Path relative = root.relativize(file);
        if (!inProject(relative)) {
          continue;
        }
        // Latin-1 maps every byte to a char, so binary files are scanned without decode errors.
        String text = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
        Matcher matcher = OUTSIDE.matcher(text);
        while (matcher.find()) {
          long line = text.substring(0, matcher.start()).chars().filter(c -> c == '\n').count();
          found.add(relative.toString().replace('\\', '/') + ":" + (line + 1));
        }
      }
    }
    return found;
  }

  private static boolean inProject(Path relative) {
    for (Path part : relative) {
      if (NOT_PROJECT.contains(part.toString())) {
        return false;
      }
    }
    return true;
  }
}
