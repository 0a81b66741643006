package io.soilci.worker.testreport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.soilci.result.TestResult;
import io.soilci.result.TestStatus;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile and broken reports: each is kept out of the table (one unreadable row naming it and the
 * reason) or read within bounds, and nothing outside the report is read.
 */
class BadReportsTest {
  /** The heap the big reports are read in: far less than the reports weigh. */
  private static final String SMALL_HEAP = "-Xmx32m";

  @TempDir Path checkout;

  private TestResult onlyRow(Path report) throws IOException {
    List<TestResult> rows = Reports.read(checkout, report);
    assertThat(rows).hasSize(1);
    return rows.get(0);
  }

  @Test
  void anExternalEntityIsNeverFetched() throws Exception {
    String canary = "canary-" + UUID.randomUUID();
    Path secret = Files.writeString(checkout.resolve("secret.txt"), canary);
    Path report =
        Reports.file(
            checkout,
            "r/xxe.xml",
            "<?xml version=\"1.0\"?>\n<!DOCTYPE testsuite [\n"
                + "  <!ENTITY passwd SYSTEM \"file:///etc/passwd\">\n"
                + "  <!ENTITY secret SYSTEM \""
                + secret.toUri()
                + "\">\n]>\n"
                + "<testsuite><testcase name=\"&passwd;&secret;\"/></testsuite>\n");

    TestResult row = onlyRow(report);

    assertThat(row.status()).isEqualTo(TestStatus.UNREADABLE);
    assertThat(row.name()).isEqualTo("r/xxe.xml");
    assertThat(row.message())
        .isEqualTo(
            "has a DOCTYPE at line 5: reports with a DTD are not read (no entity is expanded or"
                + " fetched)");
    assertThat(Files.readString(checkout.resolve("_tmp/soil/tests.tsv")))
        .doesNotContain(canary)
        .doesNotContain("root:");
  }

  @Test
  void anExternalDtdIsNeverFetched() throws Exception {
    Path report =
        Reports.file(
            checkout,
            "r/dtd.xml",
            "<!DOCTYPE testsuite SYSTEM \"file:///etc/passwd\"><testsuite/>");

    assertThat(onlyRow(report).message()).startsWith("has a DOCTYPE at line 1");
  }

  @Test
  @Timeout(10)
  void aBillionLaughsIsNotExpanded() throws Exception {
    StringBuilder xml = new StringBuilder("<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n");
    xml.append(" <!ENTITY lol0 \"lol\">\n");
    for (int i = 1; i < 10; i++) {
      xml.append(" <!ENTITY lol").append(i).append(" \"");
      xml.append(("&lol" + (i - 1) + ";").repeat(10)).append("\">\n");
    }
    xml.append("]>\n<testsuite><testcase name=\"&lol9;\"/></testsuite>\n");
    Path report = Reports.file(checkout, "r/lol.xml", xml.toString());

    TestResult row = onlyRow(report);

    assertThat(row.status()).isEqualTo(TestStatus.UNREADABLE);
    assertThat(row.message()).startsWith("has a DOCTYPE at line ");
  }

  @Test
  void aHundredMegabytesOfOneTestsOutputIsReadInASmallHeap() throws Exception {
    Path report = checkout.resolve("r/loud.xml");
    Files.createDirectories(report.getParent());
    String line = "x".repeat(99) + "\n";
    try (BufferedWriter out = Files.newBufferedWriter(report)) {
      out.write("<testsuite name=\"s\"><testcase name=\"loud\" time=\"1.5\">\n");
      out.write("<failure message=\"too loud\">");
      for (int i = 0; i < 500_000; i++) {
        out.write(line);
      }
      out.write("</failure>\n<system-out><![CDATA[");
      for (int i = 0; i < 500_000; i++) {
        out.write(line);
      }
      out.write("]]></system-out></testcase></testsuite>\n");
    }
    assertThat(Files.size(report)).isGreaterThan(100_000_000L);

    List<String> out = readInSmallHeap("r/loud.xml");

    assertThat(out.get(0)).isEqualTo("rows 1");
    assertThat(out.get(1)).startsWith("fail|loud|too loud " + "x".repeat(99) + " ");
    assertThat(out.get(1).length()).isLessThan(TestResult.MAX_MESSAGE + 20);
  }

  @Test
  void aHugeAttributeIsRefusedInASmallHeap() throws Exception {
    Path report = checkout.resolve("r/attribute.xml");
    Files.createDirectories(report.getParent());
    try (BufferedWriter out = Files.newBufferedWriter(report)) {
      out.write("<testsuite><!-- a comment > with <b> --><testcase name=\"ok\"><system-out>");
      out.write("<![CDATA[ output with <tags> and \" quotes ]]></system-out></testcase>\n");
      out.write("<testcase name=\"big\"><failure message=\"");
      for (int i = 0; i < 200_000; i++) {
        out.write("y".repeat(99) + " ");
      }
      out.write("\"/></testcase></testsuite>\n");
    }

    List<String> out = readInSmallHeap("r/attribute.xml");

    assertThat(out.get(0)).isEqualTo("rows 1");
    assertThat(out.get(1))
        .startsWith("unreadable|r/attribute.xml|not well-formed XML")
        .contains("a tag is longer than 1048576 bytes (its attributes are read whole)");
  }

  @Test
  void aMillionTestCasesAreRefusedPastTheJobsLimitInASmallHeap() throws Exception {
    Path report = checkout.resolve("r/million.xml");
    Files.createDirectories(report.getParent());
    try (BufferedWriter out = Files.newBufferedWriter(report)) {
      out.write("<testsuites><testsuite name=\"many\">\n");
      for (int i = 0; i < 1_000_000; i++) {
        out.write("<testcase classname=\"c\" name=\"t" + i + "\" time=\"0.001\"/>\n");
      }
      out.write("</testsuite></testsuites>\n");
    }

    List<String> out = readInSmallHeap("r/million.xml");

    assertThat(out)
        .containsExactly(
            "rows 1",
            "unreadable|r/million.xml|the job's reports hold more than 200000 test cases, the"
                + " most one job keeps; this report's were left out");
  }

  @Test
  void deeplyNestedSuitesStopAtTheDepthLimit() throws Exception {
    int depth = 100_000;
    Path report = checkout.resolve("r/deep.xml");
    Files.createDirectories(report.getParent());
    try (BufferedWriter out = Files.newBufferedWriter(report)) {
      out.write("<testsuites>\n");
      for (int i = 0; i < depth; i++) {
        out.write("<testsuite name=\"s" + i + "\">\n");
      }
      out.write("<testcase name=\"deep\"/>");
      for (int i = 0; i < depth; i++) {
        out.write("</testsuite>");
      }
      out.write("</testsuites>\n");
    }

    TestResult row = onlyRow(report);

    assertThat(row.status()).isEqualTo(TestStatus.UNREADABLE);
    assertThat(row.message()).isEqualTo("nests elements deeper than 64 (line 65)");
    assertThat(row.line()).isEqualTo(65);
  }

  @Test
  void suitesNestedWithinTheLimitAreRead() throws Exception {
    String open = "<testsuite name=\"s\">".repeat(60);
    String close = "</testsuite>".repeat(60);
    Path report = Reports.file(checkout, "r/nested.xml", open + "<testcase name=\"t\"/>" + close);

    assertThat(onlyRow(report).suite())
        .isEqualTo(
            String.join(
                " / ",
                List.of("s").stream()
                    .flatMap(s -> java.util.Collections.nCopies(60, s).stream())
                    .toList()));
  }

  @Test
  void invalidUtf8InXmlMakesTheReportUnreadable() throws Exception {
    Path report = checkout.resolve("r/latin1.xml");
    Files.createDirectories(report.getParent());
    try (OutputStream out = Files.newOutputStream(report)) {
      out.write("<testsuite>\n<testcase name=\"caf".getBytes(StandardCharsets.US_ASCII));
      out.write(new byte[] {(byte) 0xe9, (byte) 0xff});
      out.write("\"/>\n</testsuite>\n".getBytes(StandardCharsets.US_ASCII));
    }

    TestResult row = onlyRow(report);

    assertThat(row.status()).isEqualTo(TestStatus.UNREADABLE);
    assertThat(row.message()).startsWith("not well-formed XML").contains("UTF-8");
  }

  @Test
  void invalidUtf8InTapBecomesReplacementCharacters() throws Exception {
    Path report = checkout.resolve("r/bytes.tap");
    Files.createDirectories(report.getParent());
    try (OutputStream out = Files.newOutputStream(report)) {
      out.write("TAP version 13\nok 1 - caf".getBytes(StandardCharsets.US_ASCII));
      out.write(new byte[] {(byte) 0xe9, (byte) 0xff});
      out.write("\n1..1\n".getBytes(StandardCharsets.US_ASCII));
    }

    assertThat(onlyRow(report).name()).isEqualTo("caf\uFFFD\uFFFD");
  }

  @Test
  void aScriptTagInANameIsKeptAsText() throws Exception {
    Path report =
        Reports.file(
            checkout,
            "r/script.xml",
            "<testsuite><testcase classname=\"&lt;b&gt;x\""
                + " name=\"&lt;script&gt;alert(1)&lt;/script&gt;\"/></testsuite>");

    assertThat(Reports.read(checkout, report))
        .extracting(TestResult::suite, TestResult::name)
        .containsExactly(tuple("<b>x", "<script>alert(1)</script>"));
  }

  @Test
  void namesDifferingOnlyInUnicodeNormalizationStayTwoTests() throws Exception {
    String composed = Normalizer.normalize("café", Normalizer.Form.NFC);
    String decomposed = Normalizer.normalize("café", Normalizer.Form.NFD);
    assertThat(composed).isNotEqualTo(decomposed);
    Path report =
        Reports.file(
            checkout,
            "r/unicode.tap",
            "TAP version 14\n1..2\nok 1 - " + composed + "\nnot ok 2 - " + decomposed + "\n");

    assertThat(Reports.read(checkout, report))
        .extracting(TestResult::name, TestResult::status)
        .containsExactly(tuple(composed, TestStatus.PASS), tuple(decomposed, TestStatus.FAIL));
  }

  @Test
  void aReportBrokenHalfwayLeavesNoneOfItsRows() throws Exception {
    Path good = Reports.fixture(checkout, "gradle.xml", "r/good.xml");
    Path broken =
        Reports.file(
            checkout,
            "r/broken.xml",
            "<testsuite><testcase name=\"a\"/><testcase name=\"b\"/>\n<testcase name=\"c\">");

    List<TestResult> rows = Reports.read(checkout, good, broken);

    assertThat(rows)
        .extracting(TestResult::name, TestResult::status)
        .containsExactly(
            tuple("adds()", TestStatus.PASS),
            tuple("divides by zero()", TestStatus.FAIL),
            tuple("roundsHalfEven()", TestStatus.SKIP),
            tuple("r/broken.xml", TestStatus.UNREADABLE));
    assertThat(rows.get(3).message()).startsWith("not well-formed XML at line 2: ");
  }

  @Test
  void neitherXmlNorTapIsNamedAsSuch() throws Exception {
    assertThat(onlyRow(Reports.file(checkout, "r/x.json", "{\"tests\": 3}")).message())
        .isEqualTo(
            "is neither JUnit XML (starting with '<') nor TAP (starting with 'TAP version', a"
                + " plan '1..N' or an 'ok'/'not ok' line)");
    assertThat(onlyRow(Reports.file(checkout, "r/e.xml", "\n")).message()).isEqualTo("is empty");
    assertThat(onlyRow(Reports.file(checkout, "r/html.xml", "<html><body/></html>")).message())
        .isEqualTo("root element 'html' is neither JUnit's 'testsuites' nor 'testsuite'");
  }

  private List<String> readInSmallHeap(String report) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process process =
        new ProcessBuilder(
                java,
                SMALL_HEAP,
                "-cp",
                System.getProperty("java.class.path"),
                SmallHeapRead.class.getName(),
                checkout.toString(),
                report)
            .redirectErrorStream(true)
            .start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(out).isZero();
    return out.lines().toList();
  }
}
