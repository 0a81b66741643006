package io.soilci.worker.testreport;

import io.soilci.result.TaskName;
import io.soilci.result.TestCounts;
import io.soilci.result.TestResult;
import io.soilci.result.TestStatus;
import io.soilci.result.TestTable;
import java.io.BufferedWriter;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A job's test table being written: each report read is appended as its test cases, or, when it
 * cannot be read, as one {@link TestStatus#UNREADABLE} row naming it and the reason; a report that
 * fails halfway leaves none of its rows. The job never fails because of a report.
 */
public final class TestReports implements Closeable {
  /** Larger report files are not parsed. */
  public static final long MAX_REPORT_BYTES = 128L * 1024 * 1024;

  /** The most test cases one job's table keeps. */
  public static final int MAX_TESTS = TestTable.MAX_TESTS;

  private static final int HEAD_BYTES = 4096;

  private final Path checkout;
  private final FileChannel channel;
  private final Writer out;
  private TestCounts counts = TestCounts.NONE;
  private int tests;

  /** Starts the table at {@code table} (created or replaced). */
  public TestReports(Path checkout, Path table) throws IOException {
    this.checkout = checkout;
    Files.createDirectories(table.getParent());
    this.channel =
        FileChannel.open(
            table,
            StandardOpenOption.CREATE,
            StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING);
    this.out =
        new BufferedWriter(
            new OutputStreamWriter(Channels.newOutputStream(channel), StandardCharsets.UTF_8),
            64 * 1024);
    TestTable.writeHeader(out);
  }

  /**
   * Reads {@code report} (a file of the checkout) as {@code task}'s; returns why it was unreadable,
   * or null when it was read.
   */
  public @org.jspecify.annotations.Nullable String read(TaskName task, Path report)
      throws IOException {
    String name = checkout.relativize(report).toString().replace('\\', '/');
    out.flush();
    long mark = channel.position();
    TestCounts before = counts;
    int testsBefore = tests;
    CaseSink sink =
        (suite, test, status, seconds, message, line) -> {
          if (tests == MAX_TESTS) {
            throw new Unreadable(
                "the job's reports hold more than "
                    + MAX_TESTS
                    + " test cases, the most one job keeps; this report's were left out",
                line);
          }
          tests++;
          try {
            append(new TestResult(task, suite, test, status, seconds, message, name, line));
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        };
    try {
      parse(report, sink);
      return null;
    } catch (UncheckedIOException e) {
      throw e.getCause();
    } catch (Unreadable e) {
      out.flush();
      channel.truncate(mark);
      counts = before;
      tests = testsBefore;
      String reason = Excerpt.of(String.valueOf(e.getMessage()));
      append(
          new TestResult(
              task,
              "",
              Texts.cut(name, TestResult.MAX_NAME),
              TestStatus.UNREADABLE,
              -1,
              reason,
              name,
              e.line()));
      return reason;
    }
  }

  private void append(TestResult row) throws IOException {
    TestTable.write(out, row);
    counts = counts.with(row.status());
  }

  private static void parse(Path report, CaseSink sink) throws Unreadable {
    if (!Files.isRegularFile(report, LinkOption.NOFOLLOW_LINKS)) {
      throw new Unreadable("is not a regular file");
    }
    try {
      long size = Files.size(report);
      if (size > MAX_REPORT_BYTES) {
        throw new Unreadable(
            "is " + size + " bytes, more than the " + MAX_REPORT_BYTES + " a report may have");
      }
      byte[] head;
      try (InputStream in = Files.newInputStream(report, LinkOption.NOFOLLOW_LINKS)) {
        head = in.readNBytes(HEAD_BYTES);
      }
      ReportFormat format = ReportFormat.of(head);
      try (InputStream in = Files.newInputStream(report, LinkOption.NOFOLLOW_LINKS)) {
        switch (format) {
          case JUNIT_XML -> JUnitXml.read(in, sink);
          case TAP -> Tap.read(in, sink);
        }
      }
    } catch (IOException e) {
      throw new Unreadable("could not be read: " + e.getMessage());
    }
  }

  /** The counts of the rows written so far. */
  public TestCounts counts() {
    return counts;
  }

  @Override
  public void close() throws IOException {
    try (channel) {
      out.flush();
      channel.force(true);
    }
  }
}
