package io.soilci.worker.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResultFilesTest {
  @TempDir Path checkout;

  private final StringWriter warnings = new StringWriter();

  private ResultFiles files(long maxBytes) {
    return new ResultFiles(
        checkout,
        maxBytes,
        List.of(checkout.resolve("_tmp/soil"), checkout.resolve("_tmp/soil/out")),
        new PrintWriter(warnings, true));
  }

  private void write(String path, String text) throws Exception {
    Path file = checkout.resolve(path);
    Files.createDirectories(file.getParent());
    Files.writeString(file, text);
  }

  private static List<String> names(ResultFiles files) {
    return files.entries().stream().map(WwzEntry::name).sorted().toList();
  }

  @Test
  void takesTheWholeFolderOfAResultPageButNothingBeside() throws Exception {
    write("_tmp/spec/index.html", "<p>");
    write("_tmp/spec/osh/case.txt", "x");
    write("_tmp/other/secret.txt", "no");
    ResultFiles files = files(1000);

    files.addResultFolder("_tmp/spec/index.html");

    assertThat(names(files)).containsExactly("_tmp/spec/index.html", "_tmp/spec/osh/case.txt");
  }

  @Test
  void takesNothingWhenTheResultPageIsMissing() throws Exception {
    write("_tmp/spec/other.html", "<p>");
    ResultFiles files = files(1000);

    files.addResultFolder("_tmp/spec/index.html");

    assertThat(files.entries()).isEmpty();
  }

  @Test
  void neverFollowsASymlinkOutOfTheCheckout() throws Exception {
    write("_tmp/spec/index.html", "<p>");
    Files.createSymbolicLink(checkout.resolve("_tmp/spec/passwd"), Path.of("/etc/passwd"));
    Files.createSymbolicLink(checkout.resolve("_tmp/spec/etc"), Path.of("/etc"));
    ResultFiles files = files(1_000_000);

    files.addResultFolder("_tmp/spec/index.html");

    assertThat(names(files)).containsExactly("_tmp/spec/index.html");
  }

  @Test
  void stopsAtTheByteBoundWithOneWarning() throws Exception {
    for (int i = 0; i < 5; i++) {
      write("_tmp/spec/f" + i + ".txt", "0123456789");
    }
    ResultFiles files = files(25);

    files.addResultFolder("_tmp/spec/f0.txt");

    assertThat(files.entries()).hasSize(2);
    assertThat(warnings.toString())
        .startsWith("soil-worker: results are capped at 20000 files and 25 bytes (--max-results);")
        .hasLineCount(1);
  }

  @Test
  void aResultPageInTheJobsOwnFolderAddsOnlyThatPage() throws Exception {
    write("_tmp/soil/report.html", "<p>");
    write("_tmp/soil/logs/a.txt", "log");
    ResultFiles files = files(1000);

    files.addResultFolder("_tmp/soil/report.html");

    assertThat(names(files)).containsExactly("_tmp/soil/report.html");
  }
}
