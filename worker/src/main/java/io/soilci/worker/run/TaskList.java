package io.soilci.worker.run;

import io.soilci.result.BadInput;
import io.soilci.result.TaskName;
import io.soilci.result.TaskRow;
import io.soilci.result.WwzPath;
import io.soilci.worker.provider.TaskCommand;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Parses Soil's task list: one task a line, whitespace-separated {@code task_name script action
 * result_html} ({@code -} for no result), blank lines and {@code #} comments ignored. A comment
 * {@code # needs: A B} (names split by blanks or commas) right above a task line names the tasks it
 * needs; Soil's own readers skip it as a comment, so the list stays valid for them.
 */
public final class TaskList {
  /** Larger task lists are refused; Soil's longest have a few dozen lines. */
  public static final int MAX_BYTES = 1 << 20;

  public static final int MAX_TASKS = 10_000;

  private static final String FORMAT = "'task_name script action result_html'";

  private static final List<String> FIELDS =
      List.of("task_name", "script", "action", "result_html");

  /** The comment that names the next task's needs. */
  static final String NEEDS = "needs:";

  private TaskList() {}

  /**
   * The tasks of {@code text}; {@code source} names it in errors, e.g. {@code tasks file 'x'}.
   *
   * @throws BadInput naming the source and line of the first bad line
   */
  public static List<TaskLine> parse(String text, String source) {
    if (text.length() > MAX_BYTES) {
      throw new BadInput(source + " is larger than " + MAX_BYTES + " bytes");
    }
    List<TaskLine> tasks = new ArrayList<>();
    Map<String, Integer> firstLine = new HashMap<>();
    Map<String, Integer> needsLine = new HashMap<>();
    List<TaskName> pending = null;
    int pendingLine = 0;
    String[] lines = text.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i].strip();
      String where = source + " line " + (i + 1);
      if (line.startsWith("#")) {
        String comment = line.substring(1).strip();
        if (comment.startsWith(NEEDS)) {
          if (pending != null) {
            throw new BadInput(
                where
                    + ": a second '# needs:' line before one task (the first is line "
                    + pendingLine
                    + "); name all of its needs on one line");
          }
          pending = needs(comment.substring(NEEDS.length()), where);
          pendingLine = i + 1;
        }
        continue;
      }
      if (line.isEmpty()) {
        continue;
      }
      TaskLine task = parseLine(line, where, pending == null ? List.of() : pending);
      Integer first = firstLine.putIfAbsent(task.name().value(), i + 1);
      if (first != null) {
        throw new BadInput(
            where + ": task name '" + task.name() + "' repeats (first on line " + first + ")");
      }
      if (pending != null) {
        needsLine.put(task.name().value(), pendingLine);
        pending = null;
      }
      if (tasks.size() == MAX_TASKS) {
        throw new BadInput(source + " has more than " + MAX_TASKS + " tasks");
      }
      tasks.add(task);
    }
    if (pending != null) {
      throw new BadInput(
          source
              + " line "
              + pendingLine
              + ": '# needs:' has no task line after it; put it right above the task that"
              + " needs them");
    }
    if (tasks.isEmpty()) {
      throw new BadInput(source + " has no tasks; each line is " + FORMAT);
    }
    TaskGraph.check(tasks, task -> source + " line " + needsLine.get(task.value()));
    return List.copyOf(tasks);
  }

  /**
   * {@code bytes} as UTF-8 text; a byte sequence that is not UTF-8 is refused naming its line, so a
   * task never runs a name or argument garbled to U+FFFD.
   */
  public static String decode(byte[] bytes, String source) {
    ByteBuffer in = ByteBuffer.wrap(bytes);
    CharBuffer out = CharBuffer.allocate(bytes.length);
    CoderResult result =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT)
            .decode(in, out, true);
    if (result.isError()) {
      int bad = in.position();
      int line = 1;
      for (int i = 0; i < bad; i++) {
        line += bytes[i] == '\n' ? 1 : 0;
      }
      throw new BadInput(
          String.format(
              Locale.ROOT,
              "%s line %d is not UTF-8 (byte 0x%02x); a task list must be UTF-8 text",
              source,
              line,
              bytes[bad] & 0xff));
    }
    return out.flip().toString();
  }

  /** The names after {@code # needs:}, each once. */
  private static List<TaskName> needs(String names, String where) {
    List<TaskName> needs = new ArrayList<>();
    for (String name : names.strip().split("[\\s,]+", -1)) {
      if (name.isEmpty()) {
        throw new BadInput(where + ": '# needs:' names no task; write '# needs: TASK...'");
      }
      TaskName need;
      try {
        need = new TaskName(name);
      } catch (BadInput e) {
        throw new BadInput(where + ": '# needs:' " + e.getMessage(), e);
      }
      if (needs.contains(need)) {
        throw new BadInput(where + ": '# needs:' names '" + name + "' twice");
      }
      needs.add(need);
    }
    return needs;
  }

  private static TaskLine parseLine(String line, String where, List<TaskName> needs) {
    String[] fields = line.split("\\s+", -1);
    if (fields.length != 4) {
      throw new BadInput(
          where
              + ": expected 4 fields "
              + FORMAT
              + " ('-' for no result), got "
              + fields.length
              + ": '"
              + line
              + "'");
    }
    requirePrintable(fields, where);
    try {
      TaskName name = new TaskName(fields[0]);
      if (fields[1].startsWith("-")) {
        // The supervisor runs 'setsid SCRIPT ACTION': setsid would take it for its own option.
        throw new BadInput(
            "script '"
                + fields[1]
                + "' must not start with '-' (it would be read as an option); for a file of that"
                + " name write ./"
                + fields[1]);
      }
      if (!fields[3].equals(TaskRow.NONE)) {
        WwzPath.require("result_html", fields[3]);
      }
      return new TaskLine(name, new TaskCommand(fields[1], fields[2]), fields[3], needs);
    } catch (BadInput e) {
      throw new BadInput(where + ": " + e.getMessage(), e);
    }
  }

  /**
   * Refuses a control character (U+0000-U+001F, U+007F-U+009F) in a field: the fields go into
   * JOB.tsv and the task's command, where a NUL, an escape or a C1 character would corrupt them.
   */
  private static void requirePrintable(String[] fields, String where) {
    for (int f = 0; f < fields.length; f++) {
      String field = fields[f];
      for (int c = 0; c < field.length(); c++) {
        if (Character.isISOControl(field.charAt(c))) {
          throw new BadInput(
              String.format(
                  Locale.ROOT,
                  "%s: field %d (%s) holds the control character U+%04X at character %d; a task"
                      + " line must be printable text (control characters would corrupt JOB.tsv):"
                      + " remove it",
                  where,
                  f + 1,
                  FIELDS.get(f),
                  (int) field.charAt(c),
                  c + 1));
        }
      }
    }
  }
}
