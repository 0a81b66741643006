package io.soilci.worker.testreport;

import io.soilci.result.TestResult;
import java.nio.file.Path;
import java.util.List;

/**
 * Reads one report in a JVM of its own, so a test can give it a small heap: prints the table's rows
 * as {@code STATUS|NAME|MESSAGE}, one a line.
 */
public final class SmallHeapRead {
  private SmallHeapRead() {}

  public static void main(String[] args) throws Exception {
    Path checkout = Path.of(args[0]);
    List<TestResult> rows = Reports.read(checkout, checkout.resolve(args[1]));
    System.out.println("rows " + rows.size());
    for (TestResult row : rows.subList(0, Math.min(5, rows.size()))) {
      System.out.println(
          row.status().word() + "|" + row.name() + "|" + row.message().replace('\n', ' '));
    }
  }
}
