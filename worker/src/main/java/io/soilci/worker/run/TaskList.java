package io.soilci.worker.run;

import io.soilci.result.BadInput;
import io.soilci.result.TaskName;
import io.soilci.result.TaskRow;
import io.soilci.result.WwzPath;
import io.soilci.worker.provider.TaskCommand;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses Soil's task list: one task a line, whitespace-separated {@code task_name script action
 * result_html} ({@code -} for no result), blank lines and {@code #} comments ignored.
 */
public final class TaskList {
  /** Larger task lists are refused; Soil's longest have a few dozen lines. */
  public static final int MAX_BYTES = 1 << 20;

  public static final int MAX_TASKS = 10_000;

  private static final String FORMAT = "'task_name script action result_html'";

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
    String[] lines = text.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i].strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      String where = source + " line " + (i + 1);
      TaskLine task = parseLine(line, where);
      Integer first = firstLine.putIfAbsent(task.name().value(), i + 1);
      if (first != null) {
        throw new BadInput(
            where + ": task name '" + task.name() + "' repeats (first on line " + first + ")");
      }
      if (tasks.size() == MAX_TASKS) {
        throw new BadInput(source + " has more than " + MAX_TASKS + " tasks");
      }
      tasks.add(task);
    }
    if (tasks.isEmpty()) {
      throw new BadInput(source + " has no tasks; each line is " + FORMAT);
    }
    return List.copyOf(tasks);
  }

  private static TaskLine parseLine(String line, String where) {
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
    try {
      TaskName name = new TaskName(fields[0]);
      if (!fields[3].equals(TaskRow.NONE)) {
        WwzPath.require("result_html", fields[3]);
      }
      return new TaskLine(name, new TaskCommand(fields[1], fields[2]), fields[3]);
    } catch (BadInput e) {
      throw new BadInput(where + ": " + e.getMessage(), e);
    }
  }
}
