package io.soilci.result;

import java.io.IOException;
import java.io.InputStream;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Reads and writes a job's test table ({@link SiteLayout#TEST_RESULTS} inside the wwz): UTF-8, a
 * header line, then one tab-separated row per {@link TestResult} with the columns of {@link
 * #HEADER}. In a field, backslash, tab, newline and carriage return are written {@code \\}, {@code
 * \t}, {@code \n}, {@code \r}; an unknown time is an empty field.
 */
public final class TestTable {
  /** The first line of every table. */
  public static final String HEADER = "task\tsuite\tname\tstatus\tseconds\tmessage\treport\tline";

  /** The most test cases a table holds: the worker stops there. */
  public static final int MAX_TESTS = 200_000;

  /** The most report files a job reads (each unreadable one is a row). */
  public static final int MAX_REPORTS = 10_000;

  /** The most rows a table holds; the server refuses more. */
  public static final int MAX_ROWS = MAX_TESTS + MAX_REPORTS;

  /** The most bytes of one row (names and message at their longest fit with room to spare). */
  public static final int MAX_LINE_BYTES = 64 * 1024;

  private static final int COLUMNS = 8;
  private static final Pattern SECONDS = Pattern.compile("[0-9]{1,9}(\\.[0-9]{1,9})?");
  private static final Pattern LINE = Pattern.compile("[0-9]{1,10}");

  private TestTable() {}

  /** Writes the header line. */
  public static void writeHeader(Writer out) throws IOException {
    out.write(HEADER);
    out.write('\n');
  }

  /** Writes one row. */
  public static void write(Writer out, TestResult row) throws IOException {
    out.write(row.task().value());
    out.write('\t');
    escape(out, row.suite());
    out.write('\t');
    escape(out, row.name());
    out.write('\t');
    out.write(row.status().word());
    out.write('\t');
    if (row.seconds() >= 0) {
      out.write(String.format(Locale.ROOT, "%.3f", row.seconds()));
    }
    out.write('\t');
    escape(out, row.message());
    out.write('\t');
    escape(out, row.report());
    out.write('\t');
    out.write(Integer.toString(row.line()));
    out.write('\n');
  }

  /**
   * Reads a table, giving each row to {@code rows}; returns how many there were. At most {@link
   * #MAX_ROWS} rows of at most {@link #MAX_LINE_BYTES} bytes are read; {@code source} names the
   * table in errors.
   *
   * @throws BadInput naming the source and line of the first problem
   */
  public static int read(InputStream in, String source, Consumer<TestResult> rows)
      throws IOException {
    LineReader lines = new LineReader(in);
    @Nullable String header = lines.next(source);
    if (header == null || !header.equals(HEADER)) {
      throw new BadInput(
          source
              + " line 1 must be the header '"
              + HEADER.replace("\t", "\\t")
              + "', got '"
              + Printable.of(header == null ? "" : header)
              + "'");
    }
    int count = 0;
    for (String line = lines.next(source); line != null; line = lines.next(source)) {
      String where = source + " line " + lines.number;
      if (count == MAX_ROWS) {
        throw new BadInput(source + " has more than " + MAX_ROWS + " rows");
      }
      rows.accept(parse(line, where));
      count++;
    }
    return count;
  }

  private static TestResult parse(String line, String where) {
    String[] fields = line.split("\t", -1);
    if (fields.length != COLUMNS) {
      throw new BadInput(
          where + ": expected " + COLUMNS + " tab-separated fields, got " + fields.length);
    }
    try {
      String seconds = fields[4];
      if (!seconds.isEmpty() && !SECONDS.matcher(seconds).matches()) {
        throw new BadInput("seconds '" + Printable.of(seconds) + "' must be a decimal number");
      }
      if (!LINE.matcher(fields[7]).matches()) {
        throw new BadInput("line '" + Printable.of(fields[7]) + "' must be a whole number");
      }
      return new TestResult(
          new TaskName(fields[0]),
          unescape(fields[1]),
          unescape(fields[2]),
          TestStatus.parse(fields[3]),
          seconds.isEmpty() ? -1 : Double.parseDouble(seconds),
          unescape(fields[5]),
          unescape(fields[6]),
          (int) Math.min(Integer.MAX_VALUE, Long.parseLong(fields[7])));
    } catch (BadInput e) {
      throw new BadInput(where + ": " + e.getMessage(), e);
    }
  }

  private static void escape(Writer out, String value) throws IOException {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '\\' -> out.write("\\\\");
        case '\t' -> out.write("\\t");
        case '\n' -> out.write("\\n");
        case '\r' -> out.write("\\r");
        default -> out.write(c);
      }
    }
  }

  private static String unescape(String field) {
    if (field.indexOf('\\') < 0) {
      return field;
    }
    StringBuilder out = new StringBuilder(field.length());
    for (int i = 0; i < field.length(); i++) {
      char c = field.charAt(i);
      if (c != '\\' || i + 1 == field.length()) {
        out.append(c);
        continue;
      }
      char next = field.charAt(++i);
      switch (next) {
        case 't' -> out.append('\t');
        case 'n' -> out.append('\n');
        case 'r' -> out.append('\r');
        default -> out.append(next);
      }
    }
    return out.toString();
  }

  /** UTF-8 lines of at most {@link #MAX_LINE_BYTES} bytes; invalid UTF-8 is bad input. */
  private static final class LineReader {
    private final InputStream in;
    private final byte[] buffer = new byte[MAX_LINE_BYTES];
    private int number;

    LineReader(InputStream in) {
      this.in = new java.io.BufferedInputStream(in, 64 * 1024);
    }

    @Nullable String next(String source) throws IOException {
      int length = 0;
      int b;
      while ((b = in.read()) >= 0 && b != '\n') {
        if (length == MAX_LINE_BYTES) {
          throw new BadInput(
              source + " line " + (number + 1) + " is longer than " + MAX_LINE_BYTES + " bytes");
        }
        buffer[length++] = (byte) b;
      }
      if (b < 0 && length == 0) {
        return null;
      }
      number++;
      try {
        return StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT)
            .decode(ByteBuffer.wrap(buffer, 0, length))
            .toString();
      } catch (CharacterCodingException e) {
        throw new BadInput(source + " line " + number + " is not valid UTF-8");
      }
    }
  }
}
