package io.soilci.server.logview;

import com.github.difflib.DiffUtils;
import com.github.difflib.algorithm.DiffAlgorithmListener;
import com.github.difflib.algorithm.myers.MeyersDiffWithLinearSpace;
import com.github.difflib.patch.AbstractDelta;
import com.github.difflib.patch.Patch;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.apache.commons.io.input.BoundedInputStream;

/**
 * The line diff of a task's log against the same task's log in an earlier run, with what differs in
 * every run normalized away first ({@link #normalize}: times, dates, durations, temp paths, hex ids
 * and addresses, UUIDs), so what remains is what really changed. Bounded: at most {@link
 * #MAX_READ_BYTES} of each log read, its last {@link #MAX_LINES} lines kept, lines cut at {@link
 * #MAX_LINE_CHARS}; the diff (Myers', linear space, after the common head and tail are taken off,
 * at most {@link #MAX_MIDDLE} lines of each middle) gives up after {@link #MAX_MILLIS} ms; at most
 * {@link #MAX_SHOWN} lines of it are returned.
 */
public final class LogDiff {
  static final long MAX_READ_BYTES = 16L << 20;
  static final int MAX_LINES = 20_000;
  static final int MAX_LINE_CHARS = 500;
  static final long MAX_MILLIS = 2_000;
  static final int MAX_SHOWN = 400;

  /**
   * The most lines of each log's differing middle (after the common head and tail) diffed: one step
   * of the diff costs up to their product, so this bounds the time between deadline checks.
   */
  static final int MAX_MIDDLE = 2_000;

  static final int CONTEXT = 3;

  private static final Pattern UUID =
      Pattern.compile(
          "\\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\\b");
  private static final Pattern DATE_TIME =
      Pattern.compile(
          "\\b\\d{4}-\\d{2}-\\d{2}(?:[T ]\\d{2}:\\d{2}(?::\\d{2}(?:[.,]\\d+)?)?(?:Z|[+-]\\d{2}:?\\d{2})?)?\\b");
  private static final Pattern TIME = Pattern.compile("\\b\\d{1,2}:\\d{2}:\\d{2}(?:[.,]\\d+)?\\b");
  private static final Pattern DURATION =
      Pattern.compile(
          "\\b\\d+(?:[.,]\\d+)?\\s?(?:ns|us|µs|ms|s|sec|secs|seconds?|m|min|mins|minutes?|h|hours?)\\b");
  private static final Pattern TEMP_PATH =
      Pattern.compile(
          "(?:/private)?(?:/tmp|/var/tmp|/var/folders|/dev/shm)(?:/[^\\s:'\"()\\[\\],;]*)?");
  private static final Pattern HEX =
      Pattern.compile("\\b0x[0-9a-fA-F]+\\b|@[0-9a-f]{4,}\\b|\\b(?=[0-9a-f]*\\d)[0-9a-f]{8,}\\b");

  private LogDiff() {}

  /**
   * One line of the diff: {@code ' '} context, {@code '-'} only in the old log, {@code '+'} new.
   */
  public record Line(char kind, int oldNumber, int newNumber, String text) {}

  /**
   * The diff, or why there is none.
   *
   * @param lines the hunks' lines (a {@code '@'} line starts each hunk), at most {@link #MAX_SHOWN}
   * @param notShown lines of the diff past those
   * @param note what was cut or why the diff gave up; empty when whole
   */
  public record Result(List<Line> lines, int notShown, String note) {
    public Result {
      lines = List.copyOf(lines);
    }

    public boolean same() {
      return lines.isEmpty() && note.isEmpty();
    }
  }

  /** A line as compared: escapes removed, run-specific values replaced by placeholders. */
  public static String normalize(String line) {
    String s = AnsiHtml.plain(line);
    s = UUID.matcher(s).replaceAll("<uuid>");
    s = TEMP_PATH.matcher(s).replaceAll("<tmp>");
    s = DATE_TIME.matcher(s).replaceAll("<time>");
    s = TIME.matcher(s).replaceAll("<time>");
    s = DURATION.matcher(s).replaceAll("<duration>");
    s = HEX.matcher(s).replaceAll("<hex>");
    return s;
  }

  /**
   * Diffs the log {@code oldEntry} of {@code oldWwz} against {@code newEntry} of {@code newWwz}.
   */
  public static Result diff(Path oldWwz, String oldEntry, Path newWwz, String newEntry) {
    Log before;
    Log after;
    try {
      before = read(oldWwz, oldEntry);
      after = read(newWwz, newEntry);
    } catch (IOException e) {
      return new Result(List.of(), 0, "a log could not be read: " + e.getMessage());
    }
    String note = before.note().isEmpty() ? after.note() : before.note();
    return diff(before.lines(), before.first(), after.lines(), after.first(), note);
  }

  /**
   * Diffs two logs' lines; {@code oldFirst}/{@code newFirst} are the 1-based numbers of their first
   * lines in the logs.
   */
  static Result diff(
      List<String> oldLines, int oldFirst, List<String> newLines, int newFirst, String note) {
    List<String> a = oldLines.stream().map(LogDiff::normalize).toList();
    List<String> b = newLines.stream().map(LogDiff::normalize).toList();
    int head = 0;
    while (head < a.size() && head < b.size() && a.get(head).equals(b.get(head))) {
      head++;
    }
    int tail = 0;
    while (tail < a.size() - head
        && tail < b.size() - head
        && a.get(a.size() - 1 - tail).equals(b.get(b.size() - 1 - tail))) {
      tail++;
    }
    List<String> aMid = a.subList(head, a.size() - tail);
    List<String> bMid = b.subList(head, b.size() - tail);
    if (aMid.size() > MAX_MIDDLE || bMid.size() > MAX_MIDDLE) {
      aMid = aMid.subList(0, Math.min(MAX_MIDDLE, aMid.size()));
      bMid = bMid.subList(0, Math.min(MAX_MIDDLE, bMid.size()));
      note =
          (note.isEmpty() ? "" : note + "; ")
              + "the logs differ in more than "
              + MAX_MIDDLE
              + " lines: only the first "
              + MAX_MIDDLE
              + " differing lines of each were compared";
    }
    Patch<String> patch;
    long deadline = System.nanoTime() + MAX_MILLIS * 1_000_000;
    try {
      patch = DiffUtils.diff(aMid, bMid, new MeyersDiffWithLinearSpace<>(), new Deadline(deadline));
    } catch (TimedOut e) {
      return new Result(
          List.of(),
          0,
          "the logs differ too much to diff within " + MAX_MILLIS + " ms; open both logs");
    }
    List<Line> out = new ArrayList<>();
    int total = 0;
    List<AbstractDelta<String>> deltas = patch.getDeltas();
    int i = 0;
    while (i < deltas.size()) {
      // A hunk: deltas closer than twice the context are shown together; positions in the logs.
      int j = i;
      while (j + 1 < deltas.size()
          && deltas.get(j + 1).getSource().getPosition() - end(deltas.get(j)) <= 2 * CONTEXT) {
        j++;
      }
      int first = head + deltas.get(i).getSource().getPosition();
      int ai = Math.max(0, first - CONTEXT);
      int bi = ai + head + deltas.get(i).getTarget().getPosition() - first;
      int aEnd = Math.min(a.size(), head + end(deltas.get(j)) + CONTEXT);
      Hunk hunk = new Hunk(oldLines, oldFirst, newLines, newFirst);
      hunk.lines.add(new Line('@', ai + oldFirst, bi + newFirst, ""));
      for (int d = i; d <= j; d++) {
        AbstractDelta<String> delta = deltas.get(d);
        int from = head + delta.getSource().getPosition();
        int to = head + delta.getTarget().getPosition();
        while (ai < from) {
          hunk.context(ai++, bi++);
        }
        for (int k = 0; k < delta.getSource().size(); k++) {
          hunk.removed(ai++);
        }
        while (bi < to + delta.getTarget().size()) {
          hunk.added(bi++);
        }
      }
      while (ai < aEnd) {
        hunk.context(ai++, bi++);
      }
      hunk.flush();
      for (Line line : hunk.lines) {
        if (out.size() < MAX_SHOWN) {
          out.add(line);
        }
        total++;
      }
      i = j + 1;
    }
    return new Result(out, total - out.size(), note);
  }

  /** One hunk's lines: removed lines before added ones between two context lines. */
  private static final class Hunk {
    final List<Line> lines = new ArrayList<>();
    private final List<Line> removed = new ArrayList<>();
    private final List<Line> added = new ArrayList<>();
    private final List<String> oldLines;
    private final int oldFirst;
    private final List<String> newLines;
    private final int newFirst;

    Hunk(List<String> oldLines, int oldFirst, List<String> newLines, int newFirst) {
      this.oldLines = oldLines;
      this.oldFirst = oldFirst;
      this.newLines = newLines;
      this.newFirst = newFirst;
    }

    void context(int a, int b) {
      flush();
      lines.add(new Line(' ', a + oldFirst, b + newFirst, newLines.get(b)));
    }

    void removed(int a) {
      removed.add(new Line('-', a + oldFirst, 0, oldLines.get(a)));
    }

    void added(int b) {
      added.add(new Line('+', 0, b + newFirst, newLines.get(b)));
    }

    void flush() {
      lines.addAll(removed);
      lines.addAll(added);
      removed.clear();
      added.clear();
    }
  }

  private static int end(AbstractDelta<String> delta) {
    return delta.getSource().getPosition() + delta.getSource().size();
  }

  /** A log's last lines as kept, the number of the first, and what was cut. */
  private record Log(List<String> lines, int first, String note) {}

  private static Log read(Path wwz, String entry) throws IOException {
    try (ZipFile zip = new ZipFile(wwz.toFile())) {
      ZipEntry found = zip.getEntry(entry);
      if (found == null) {
        throw new IOException(wwz.getFileName() + " has no " + entry);
      }
      try (InputStream raw = zip.getInputStream(found);
          BoundedInputStream in =
              BoundedInputStream.builder().setInputStream(raw).setMaxCount(MAX_READ_BYTES).get()) {
        // Lines as the log view numbers them: split at \n only (a bare \r is progress output).
        LineReader reader = new LineReader(in, LogScan.KEPT_LINE_BYTES);
        ArrayDeque<String> last = new ArrayDeque<>();
        int count = 0;
        while (reader.next()) {
          count++;
          String line = reader.text();
          if (line.endsWith("\r")) {
            line = line.substring(0, line.length() - 1);
          }
          last.addLast(line.length() > MAX_LINE_CHARS ? line.substring(0, MAX_LINE_CHARS) : line);
          if (last.size() > MAX_LINES) {
            last.removeFirst();
          }
        }
        String note = "";
        if (in.getCount() >= MAX_READ_BYTES) {
          note = "only the first " + (MAX_READ_BYTES >> 20) + " MiB of a log were compared";
        } else if (count > MAX_LINES) {
          note = "only the last " + MAX_LINES + " lines of a log were compared";
        }
        return new Log(new ArrayList<>(last), count - last.size() + 1, note);
      }
    }
  }

  /** Stops a diff past its deadline: Myers' diff reports each step here. */
  private static final class Deadline implements DiffAlgorithmListener {
    private final long deadline;

    Deadline(long deadline) {
      this.deadline = deadline;
    }

    @Override
    public void diffStart() {}

    @Override
    public void diffStep(int value, int max) {
      if (System.nanoTime() > deadline) {
        throw new TimedOut();
      }
    }

    @Override
    public void diffEnd() {}
  }

  private static final class TimedOut extends RuntimeException {
    private static final long serialVersionUID = 1L;

    TimedOut() {
      super("diff past its deadline", null, false, false);
    }
  }
}
