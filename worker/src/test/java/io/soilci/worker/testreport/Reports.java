package io.soilci.worker.testreport;

import io.soilci.result.TaskName;
import io.soilci.result.TestResult;
import io.soilci.result.TestTable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Reads report files through {@link TestReports} and back from the table it writes. */
final class Reports {
  static final TaskName TASK = new TaskName("unit");

  private Reports() {}

  /** The table's rows after reading {@code reports} (files of {@code checkout}) in order. */
  static List<TestResult> read(Path checkout, Path... reports) throws IOException {
    Path table = checkout.resolve("_tmp/soil/tests.tsv");
    try (TestReports writer = new TestReports(checkout, table)) {
      for (Path report : reports) {
        writer.read(TASK, report);
      }
    }
    List<TestResult> rows = new ArrayList<>();
    try (InputStream in = Files.newInputStream(table)) {
      TestTable.read(in, "tests.tsv", rows::add);
    }
    return rows;
  }

  /** Copies the test resource {@code name} into {@code checkout} as {@code as}. */
  static Path fixture(Path checkout, String name, String as) throws IOException {
    Path file = checkout.resolve(as);
    Files.createDirectories(file.getParent());
    try (InputStream in = Reports.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IOException("no test resource " + name);
      }
      Files.copy(in, file);
    }
    return file;
  }

  /** Writes {@code text} into {@code checkout} as {@code as}. */
  static Path file(Path checkout, String as, String text) throws IOException {
    Path file = checkout.resolve(as);
    Files.createDirectories(file.getParent());
    return Files.writeString(file, text);
  }
}
