package io.soilci.result;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVPrinter;
import org.apache.commons.csv.CSVRecord;
import org.apache.commons.io.input.BoundedInputStream;

/**
 * Reads and writes Soil's task table ({@code INDEX.tsv}, {@code JOB.tsv}): one row per task, six
 * tab-separated columns, no header.
 */
public final class TaskRows {
  /** Larger task tables are refused: Soil's biggest jobs have a few hundred rows. */
  public static final int MAX_BYTES = 1 << 20;

  public static final int MAX_ROWS = 10_000;
  private static final int COLUMNS = 6;
  private static final java.util.regex.Pattern STATUS =
      java.util.regex.Pattern.compile("[0-9]{1,3}");
  private static final java.util.regex.Pattern ELAPSED =
      java.util.regex.Pattern.compile("[0-9]{1,12}(\\.[0-9]{1,9})?");

  private static final CSVFormat TSV =
      CSVFormat.DEFAULT
          .builder()
          .setDelimiter('\t')
          .setQuote(null)
          .setEscape(null)
          .setRecordSeparator('\n')
          .setIgnoreEmptyLines(false)
          .get();

  private TaskRows() {}

  /** Reads a task table file; {@code source} names it in errors, e.g. {@code JOB.tsv}. */
  public static List<TaskRow> read(Path file, String source) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      return read(in, source);
    }
  }

  /** Reads at most {@link #MAX_BYTES} of UTF-8 task table; more is an error. */
  public static List<TaskRow> read(InputStream in, String source) throws IOException {
    BoundedInputStream bounded =
        BoundedInputStream.builder()
            .setInputStream(in)
            .setMaxCount(MAX_BYTES + 1L)
            .setPropagateClose(false)
            .get();
    Reader reader = new BufferedReader(new InputStreamReader(bounded, StandardCharsets.UTF_8));
    try {
      List<TaskRow> rows = parse(reader, source);
      requireWithinLimit(bounded, source);
      return rows;
    } catch (BadInput e) {
      // A cut-off table fails to parse too; the size is the error to report.
      requireWithinLimit(bounded, source);
      throw e;
    }
  }

  private static void requireWithinLimit(BoundedInputStream in, String source) {
    if (in.getCount() > MAX_BYTES) {
      throw new BadInput(source + " is larger than " + MAX_BYTES + " bytes");
    }
  }

  /** Parses a task table held in a string. */
  public static List<TaskRow> parse(String text, String source) {
    if (text.length() > MAX_BYTES) {
      throw new BadInput(source + " is larger than " + MAX_BYTES + " bytes");
    }
    try {
      return parse(new StringReader(text), source);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<TaskRow> parse(Reader reader, String source) throws IOException {
    List<TaskRow> rows = new ArrayList<>();
    Set<String> names = new HashSet<>();
    try (CSVParser parser = CSVParser.builder().setReader(reader).setFormat(TSV).get()) {
      for (CSVRecord record : parser) {
        // Empty lines are records too, so the record number is the line number.
        long line = record.getRecordNumber();
        if (record.size() == 1 && record.get(0).isEmpty()) {
          continue;
        }
        if (rows.size() == MAX_ROWS) {
          throw new BadInput(source + " has more than " + MAX_ROWS + " rows");
        }
        TaskRow row = toRow(record, source + " line " + line);
        if (!names.add(row.name().value())) {
          throw new BadInput(source + " line " + line + ": task name '" + row.name() + "' repeats");
        }
        rows.add(row);
      }
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
    return List.copyOf(rows);
  }

  private static TaskRow toRow(CSVRecord record, String where) {
    if (record.size() != COLUMNS) {
      throw new BadInput(
          where
              + ": has "
              + record.size()
              + " columns, expected "
              + COLUMNS
              + " (status, elapsed, name, script_name, func, results_url)");
    }
    int status = parseStatus(record.get(0), where);
    double elapsed = parseElapsed(record.get(1), where);
    try {
      return new TaskRow(
          status,
          elapsed,
          new TaskName(record.get(2)),
          record.get(3),
          record.get(4),
          record.get(5));
    } catch (BadInput e) {
      throw new BadInput(where + ": " + e.getMessage(), e);
    }
  }

  /** Plain ASCII digits only: {@code Integer.parseInt} would also take {@code +5} and {@code ٣}. */
  private static int parseStatus(String text, String where) {
    if (STATUS.matcher(text).matches() && Integer.parseInt(text) <= 255) {
      return Integer.parseInt(text);
    }
    throw new BadInput(
        where + ": status '" + Printable.of(text) + "' must be 0-255 in ASCII digits");
  }

  private static double parseElapsed(String text, String where) {
    if (!ELAPSED.matcher(text).matches()) {
      throw new BadInput(
          where + ": elapsed '" + Printable.of(text) + "' is not a number of seconds");
    }
    return Double.parseDouble(text);
  }

  /** Formats rows exactly as Soil writes them: elapsed with six decimals, '\n' line ends. */
  public static String format(List<TaskRow> rows) {
    StringBuilder out = new StringBuilder();
    try (CSVPrinter printer = new CSVPrinter(out, TSV)) {
      for (TaskRow row : rows) {
        printer.printRecord(
            Integer.toString(row.status()),
            String.format(Locale.ROOT, "%.6f", row.elapsedSeconds()),
            row.name().value(),
            row.scriptName(),
            row.func(),
            row.resultsUrl());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }
}
