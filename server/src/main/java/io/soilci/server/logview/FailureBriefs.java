package io.soilci.server.logview;

import io.soilci.result.TaskRow;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;
import org.apache.commons.io.input.BoundedInputStream;

/**
 * The few lines the run page shows under a failed task, so the common case needs no click: the
 * {@link Excerpt#brief} of its log (the first error line and the lines after it, else the last
 * lines), found once when the job is stored and kept with the job's facts. Bounded whatever the
 * job: the first {@value #MAX_TASKS} failed tasks, {@value #MAX_LINES} lines each, {@value
 * #MAX_CHARS} characters a line, the first {@value #MAX_SCAN_BYTES} bytes of a log read. The same
 * zip and patterns always give the same lines, so {@code regen} writes the pages an upload wrote.
 */
public final class FailureBriefs {
  static final int MAX_TASKS = 3;
  static final int MAX_LINES = 4;
  static final int MAX_CHARS = 240;
  static final long MAX_SCAN_BYTES = 16L << 20;

  private FailureBriefs() {}

  /**
   * Each failed task's brief (task name → lines) from the logs in {@code wwz}; a task whose log is
   * missing or unreadable, or whose scanned part holds no error and is not the whole log, has none.
   */
  public static Map<String, List<Excerpt.Line>> read(
      Path wwz, List<TaskRow> rows, ErrorPatterns patterns) {
    List<TaskRow> failed = rows.stream().filter(r -> !r.passed()).limit(MAX_TASKS).toList();
    if (failed.isEmpty() || !Files.isRegularFile(wwz)) {
      return Map.of();
    }
    Map<String, List<Excerpt.Line>> out = new LinkedHashMap<>();
    try (ZipFile zip = ZipFile.builder().setPath(wwz).get()) {
      for (TaskRow row : failed) {
        ZipArchiveEntry entry = zip.getEntry(row.logPath());
        if (entry == null || entry.isDirectory()) {
          continue;
        }
        try {
          List<Excerpt.Line> brief = brief(zip, entry, patterns);
          if (!brief.isEmpty()) {
            out.put(row.name().value(), brief);
          }
        } catch (IOException e) {
          // A log that cannot be read has no brief; its view says why.
        }
      }
    } catch (IOException e) {
      // A zip that cannot be read has none either; the job's files are shown as they are.
    }
    return Map.copyOf(out);
  }

  private static List<Excerpt.Line> brief(
      ZipFile zip, ZipArchiveEntry entry, ErrorPatterns patterns) throws IOException {
    long declared = Math.max(0, entry.getSize());
    try (InputStream in =
        BoundedInputStream.builder()
            .setInputStream(zip.getInputStream(entry))
            .setMaxCount(Math.min(declared, MAX_SCAN_BYTES))
            .get()) {
      LineReader reader = new LineReader(in, LogScan.KEPT_LINE_BYTES);
      ErrorFinder finder = new ErrorFinder(patterns);
      while (reader.next()) {
        finder.line(reader.text());
      }
      Excerpt excerpt = finder.excerpt();
      if (excerpt.blocks().isEmpty() && declared > MAX_SCAN_BYTES) {
        // The last lines read are not the log's last lines.
        return List.of();
      }
      return excerpt.brief(MAX_LINES).stream()
          .map(l -> new Excerpt.Line(l.number(), shown(l.text())))
          .toList();
    }
  }

  /** A line as the run page shows it: no escapes, control characters as their pictures, cut. */
  static String shown(String logged) {
    String plain = AnsiHtml.plain(logged);
    StringBuilder out = new StringBuilder(Math.min(plain.length(), MAX_CHARS + 1));
    for (int i = 0; i < plain.length() && out.length() < MAX_CHARS; i++) {
      char c = plain.charAt(i);
      out.append(c == '\t' ? ' ' : c < 0x20 ? (char) (0x2400 + c) : c == 0x7f ? '\u2421' : c);
    }
    return plain.length() > MAX_CHARS ? out.append('\u2026').toString() : out.toString();
  }
}
